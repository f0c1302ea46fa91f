import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../access/current-user.js';
import { User } from '../auth/current-user.decorator.js';
import { MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password.js';
import { toLocale, translate } from '../i18n/i18n.service.js';
import { FieldErrors } from '../records/record-validation.js';
import { LOCALES } from '../records/values.js';
import { setFlash } from '../web/flash.js';
import { UsersService } from './users.service.js';

interface PasswordForm {
  currentPassword?: string;
  newPassword?: string;
  confirmPassword?: string;
}

/**
 * Serves every user's own account page: the language of the interface and the password. Only the signed-in
 * user's own account is changed here; names, roles and the active flag stay with user administration.
 */
@Controller('account')
export class AccountController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async page(@User() user: CurrentUser, @Res() response: Response): Promise<void> {
    await this.render(response, user, {});
  }

  @Post('language')
  async setLanguage(
    @User() user: CurrentUser,
    @Body() body: { locale?: string },
    @Res() response: Response,
  ): Promise<void> {
    const stored = await this.users.get(user.id);
    await this.users.save(user.id, { ...this.inputOf(stored), locale: toLocale(body.locale) });
    setFlash(response, 'flash.saved');
    response.redirect(303, '/account');
  }

  @Post('password')
  async setPassword(
    @User() user: CurrentUser,
    @Body() body: PasswordForm,
    @Res() response: Response,
  ): Promise<void> {
    const stored = await this.users.get(user.id);
    const errors: FieldErrors = {};
    const newPassword = body.newPassword ?? '';
    if (!(await verifyPassword(stored.passwordHash, body.currentPassword ?? '')))
      errors.currentPassword = { code: 'currentPasswordWrong' };
    if (newPassword.length < MIN_PASSWORD_LENGTH)
      errors.newPassword = { code: 'passwordTooShort', params: { min: MIN_PASSWORD_LENGTH } };
    else if (newPassword !== (body.confirmPassword ?? ''))
      errors.confirmPassword = { code: 'passwordsDiffer' };
    if (Object.keys(errors).length > 0) return this.render(response.status(422), user, errors);

    const result = await this.users.save(user.id, { ...this.inputOf(stored), password: newPassword });
    if (!result.ok) return this.render(response.status(422), user, { newPassword: result.errors.password });
    setFlash(response, 'account.passwordChanged');
    response.redirect(303, '/account');
  }

  /** Returns the stored user as the save of user administration takes it, so that only the changed part differs. */
  private inputOf(stored: Awaited<ReturnType<UsersService['get']>>) {
    return {
      fullName: stored.fullName,
      username: stored.username,
      email: stored.email ?? '',
      isActive: stored.isActive,
      isAdmin: stored.isAdmin,
      locale: stored.locale,
      roleId: String(stored.roleId),
    };
  }

  private async render(response: Response, user: CurrentUser, errors: FieldErrors): Promise<void> {
    const stored = await this.users.get(user.id);
    const locale = user.locale;
    const message = (name: string) => {
      const error = errors[name];
      return error ? translate(locale, `errors.field.${error.code}`, error.params ?? {}) : undefined;
    };
    const passwordField = (name: keyof PasswordForm, hint?: string) => ({
      name,
      label: translate(locale, `account.fields.${name}`),
      kind: 'password',
      value: '',
      required: true,
      autocomplete: name === 'currentPassword' ? 'current-password' : 'new-password',
      hint,
      error: message(name),
    });
    const passwordFields = [
      passwordField('currentPassword'),
      passwordField('newPassword', translate(locale, 'users.passwordRule', { min: MIN_PASSWORD_LENGTH })),
      passwordField('confirmPassword'),
    ];
    response.render('account/account', {
      title: 'account.title',
      fullName: stored.fullName,
      username: stored.username,
      locales: LOCALES.map((value) => ({
        value,
        label: translate(locale, `locales.${value}`),
        selected: value === stored.locale,
      })),
      passwordFields,
      errorSummaryHeading: translate(locale, 'account.passwordNotChanged'),
      errorSummary: passwordFields
        .filter((field) => field.error)
        .map((field) => ({ name: field.name, label: field.label, error: field.error })),
    });
  }
}
