import type { Request, Response } from 'express';

/** A message for the next page the user sees, such as "Saved", kept in the session across a redirect. */
interface Flash {
  key: string;
  params: Record<string, string | number>;
}

type SessionWithFlash = { flash?: Flash };

/** Stores a catalogue key for the page the redirect leads to. */
export function setFlash(
  response: Response,
  key: string,
  params: Record<string, string | number> = {},
): void {
  const session = response.req.session as unknown as SessionWithFlash | undefined;
  if (session) session.flash = { key, params };
}

/** Returns the stored message once and removes it, so that a reload does not show it again. */
export function takeFlash(request: Request): Flash | undefined {
  const session = request.session as unknown as SessionWithFlash | undefined;
  const flash = session?.flash;
  if (flash) delete session.flash;
  return flash;
}
