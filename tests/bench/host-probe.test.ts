import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { hostProbe, hostShare, parseCpuTicks, watchHost } from '../../bench/lib/host-probe'

// The first lines of /proc/stat on a two-core KVM guest (user nice system idle iowait irq softirq steal guest guest_nice).
const BEFORE = 'cpu  365329 0 51155 204968 5178 0 1622 3653 0 0\ncpu0 191452 0 25095 96003 891 0 658 1755 0 0\nintr 1 2 3\n'
const AFTER = 'cpu  366329 0 51255 205768 5198 0 1642 3853 0 0\ncpu0 192342 0 25116 96086 891 0 658 1758 0 0\nintr 4 5 6\n'

describe("the benchmark's view of the host", () => {
  it('reads the machine-wide line of /proc/stat, not a single core', () => {
    expect(parseCpuTicks(BEFORE)).toEqual({ total: 365329 + 51155 + 204968 + 5178 + 1622 + 3653, idle: 204968 + 5178, steal: 3653 })
    expect(parseCpuTicks('cpu0 1 2 3 4\n')).toBeNull()
    expect(parseCpuTicks('cpu  1 2 three 4 5 6 7 8\n')).toBeNull()
  })

  it('gives busy and stolen time as shares of all the time between two readings', () => {
    // 1000 user + 100 system + 20 irq/softirq busy, 800 + 20 idle, 200 stolen: 2140 ticks in all.
    const share = hostShare(parseCpuTicks(BEFORE)!, parseCpuTicks(AFTER)!)
    expect(share.steal_pct).toBeCloseTo((100 * 200) / 2140, 6)
    expect(share.busy_pct).toBeCloseTo((100 * 1120) / 2140, 6)
    expect(hostShare(parseCpuTicks(BEFORE)!, parseCpuTicks(BEFORE)!)).toEqual({ busy_pct: 0, steal_pct: 0 })
  })

  it.runIf(process.platform === 'linux')('sees this process keep a core busy', () => {
    const host = watchHost()
    const until = performance.now() + 300
    while (performance.now() < until);
    const share = host()!
    // One of the machine's cores spun the whole time: its share of them, less what the hypervisor may take.
    expect(share.busy_pct).toBeGreaterThan(50 / availableParallelism())
    expect(share.steal_pct).toBeGreaterThanOrEqual(0)
  })

  it('times its fixed work in a thread of its own', async () => {
    // Nine rounds take about 0.1 s on these machines; one round, a tenth of that.
    const ms = await hostProbe(1)
    expect(ms).toBeGreaterThan(0)
    expect(ms).toBeLessThan(5_000)
  })
})
