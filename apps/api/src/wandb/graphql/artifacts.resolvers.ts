import { Injectable } from '@nestjs/common';

/** Artifact operations: filled in by the artifacts use case. */
@Injectable()
export class ArtifactsResolvers {
  root(): Record<string, unknown> {
    return {};
  }
}
