import { Module } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, ApiKeysService, UsersRepository],
  exports: [ApiKeysService],
})
export class UsersModule {}
