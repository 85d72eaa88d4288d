import { Module } from '@nestjs/common';
import { ViewsController } from './views.controller';
import { ViewsRepository } from './views.repository';
import { ViewsService } from './views.service';

@Module({
  controllers: [ViewsController],
  providers: [ViewsService, ViewsRepository],
})
export class ViewsModule {}
