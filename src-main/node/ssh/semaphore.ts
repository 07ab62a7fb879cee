/** Limits how many async jobs run at once (fan-out over hosts, channels per connection). */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r))
    this.active++
    let released = false
    return () => {
      if (released) return
      released = true
      this.active--
      this.waiting.shift()?.()
    }
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    const release = await this.acquire()
    try {
      return await job()
    } finally {
      release()
    }
  }
}
