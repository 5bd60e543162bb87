import { inject, injectable } from 'tsyringe'
import { ModeReader, ServiceIdentity, type AppMode } from './service-info.port.ts'

export interface ServiceInfo extends ServiceIdentity {
  mode: AppMode
}

@injectable()
export class GetServiceInfo {
  constructor(
    @inject(ServiceIdentity) private readonly identity: ServiceIdentity,
    @inject(ModeReader) private readonly mode: ModeReader,
  ) {}

  async execute(): Promise<ServiceInfo> {
    return { ...this.identity, mode: await this.mode.currentMode() }
  }
}
