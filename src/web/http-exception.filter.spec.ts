import { jest } from '@jest/globals';
import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { LoginRequiredException } from '../auth/guards.js';
import { HttpExceptionFilter } from './http-exception.filter.js';

interface FakeResponse {
  locals: Record<string, unknown>;
  headersSent: boolean;
  statusCode?: number;
  view?: string;
  model?: Record<string, unknown>;
  redirectedTo?: string;
  status(code: number): FakeResponse;
  render(view: string, model: Record<string, unknown>): void;
  redirect(code: number, url: string): void;
}

function fakeHost(method = 'GET', url = '/potentials/7') {
  const response: FakeResponse = {
    locals: { requestId: 'req12345' },
    headersSent: false,
    status(code) {
      this.statusCode = code;
      return this;
    },
    render(view, model) {
      this.view = view;
      this.model = model;
    },
    redirect(code, target) {
      this.statusCode = code;
      this.redirectedTo = target;
    },
  };
  const request = { method, originalUrl: url, path: url };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, response };
}

describe('HttpExceptionFilter', () => {
  it('logs an unexpected error with the request id shown on the page', () => {
    const errors: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown): void => {
      errors.push(String(message));
    });
    const { host, response } = fakeHost();

    new HttpExceptionFilter().catch(new Error('connection lost'), host);

    expect(response.statusCode).toBe(500);
    expect(response.view).toBe('errors/error');
    expect(response.model?.messageKey).toBe('errors.page.500.message');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('req12345');
    expect(errors[0]).toContain('connection lost');
  });

  it('shows the not-found page for a missing record', () => {
    const { host, response } = fakeHost();

    new HttpExceptionFilter().catch(new NotFoundException(), host);

    expect(response.statusCode).toBe(404);
    expect(response.model?.messageKey).toBe('errors.page.404.message');
  });

  it('sends a visitor without a session to the login page and back', () => {
    const { host, response } = fakeHost('GET', '/potentials?sales_stage=Prospecting');

    new HttpExceptionFilter().catch(new LoginRequiredException(), host);

    expect(response.statusCode).toBe(303);
    expect(response.redirectedTo).toBe('/login?next=%2Fpotentials%3Fsales_stage%3DProspecting');
  });
});
