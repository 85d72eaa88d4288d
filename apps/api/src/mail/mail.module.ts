import { Global, Module } from '@nestjs/common';
import { MailService } from './mail.service';

/** Email for every domain (accounts, invitations, notifications): one transport, one set of templates. */
@Global()
@Module({ providers: [MailService], exports: [MailService] })
export class MailModule {}
