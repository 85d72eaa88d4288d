import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { ServiceAccountsController } from './service-accounts.controller';
import { ServiceAccountsRepository } from './service-accounts.repository';
import { ServiceAccountsService } from './service-accounts.service';

@Module({
  imports: [UsersModule],
  controllers: [ServiceAccountsController],
  providers: [ServiceAccountsService, ServiceAccountsRepository],
})
export class ServiceAccountsModule {}
