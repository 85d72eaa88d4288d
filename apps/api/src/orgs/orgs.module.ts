import { Module } from '@nestjs/common';
import { MembersService } from './members.service';
import { OrgsController } from './orgs.controller';
import { OrgsService } from './orgs.service';

@Module({
  controllers: [OrgsController],
  providers: [OrgsService, MembersService],
})
export class OrgsModule {}
