import { Module } from '@nestjs/common';
import { MembersService } from './members.service';
import { OrgsController } from './orgs.controller';
import { OrgsRepository } from './orgs.repository';
import { OrgsService } from './orgs.service';

@Module({
  controllers: [OrgsController],
  providers: [OrgsService, MembersService, OrgsRepository],
  exports: [OrgsRepository],
})
export class OrgsModule {}
