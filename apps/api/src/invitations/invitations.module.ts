import { Module } from '@nestjs/common';
import { OrgsModule } from '../orgs/orgs.module';
import { InvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';

@Module({ imports: [OrgsModule], controllers: [InvitationsController], providers: [InvitationsService] })
export class InvitationsModule {}
