import { csrfToken, loginAgent } from './test-app.js';

type Agent = Awaited<ReturnType<typeof loginAgent>>;

/**
 * Posts a file to the user import form, with the CSRF token in the form's body as the page's form has it,
 * and the given form fields (such as `parentRoleId`) beside it.
 */
export async function uploadUsers(
  agent: Agent,
  content: Buffer | string,
  fields: Record<string, string> = {},
) {
  const page = await agent.get('/admin/users/import');
  const post = agent
    .post('/admin/users/import')
    .field('_csrf', csrfToken(page.text))
    .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), 'users.csv');
  for (const [name, value] of Object.entries(fields)) void post.field(name, value);
  return post;
}
