import { Global, Module } from '@nestjs/common';
import { TrashBin } from './trash-bin.service';
import { TrashRepository } from './trash.repository';

/** The trash every deleting domain moves its rows into (runs, artifact versions, projects) and the janitor purges. */
@Global()
@Module({
  providers: [TrashRepository, TrashBin],
  exports: [TrashRepository, TrashBin],
})
export class TrashBinModule {}
