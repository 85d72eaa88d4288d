import {
  completeUploadsRequestSchema,
  completeUploadsResponseSchema,
  declareFilesRequestSchema,
  declareFilesResponseSchema,
  filePreviewSchema,
  fileListingSchema,
  partUrlsRequestSchema,
  partUrlsResponseSchema,
  reportPartRequestSchema,
  setQuotaRequestSchema,
  signedUrlSchema,
  storageUsageSchema,
  uploadStatusSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export class DeclareFilesDto extends createZodDto(declareFilesRequestSchema) {}
export class DeclareFilesResponseDto extends createZodDto(declareFilesResponseSchema) {}
export class PartUrlsDto extends createZodDto(partUrlsRequestSchema) {}
export class PartUrlsResponseDto extends createZodDto(partUrlsResponseSchema) {}
export class ReportPartDto extends createZodDto(reportPartRequestSchema) {}
export class CompleteUploadsDto extends createZodDto(completeUploadsRequestSchema) {}
export class CompleteUploadsResponseDto extends createZodDto(completeUploadsResponseSchema) {}
export class UploadStatusDto extends createZodDto(uploadStatusSchema) {}
export class StorageUsageDto extends createZodDto(storageUsageSchema) {}
export class SetQuotaDto extends createZodDto(setQuotaRequestSchema) {}
export class SignedUrlDto extends createZodDto(signedUrlSchema) {}
export class FileListingDto extends createZodDto(fileListingSchema) {}
export class FilePreviewDto extends createZodDto(filePreviewSchema) {}

export class UploadParamDto extends createZodDto(z.object({ upload: z.uuid() }).loose()) {}
export class FilePathQueryDto extends createZodDto(z.strictObject({ path: z.string().min(1).max(2_048) })) {}
export class FilePrefixQueryDto extends createZodDto(z.strictObject({ prefix: z.string().max(2_048).optional() })) {}
export class ArchiveRequestDto extends createZodDto(z.strictObject({ prefix: z.string().max(2_048).optional() })) {}
