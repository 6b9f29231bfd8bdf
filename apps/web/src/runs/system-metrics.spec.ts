import {
  formatElapsed,
  groupSystemMetrics,
  isSystemMetric,
  systemMetricLabel,
  systemMetricTitle,
  systemMetricUnit,
  timeTicks,
  withUnit,
} from './system-metrics';

describe('system metrics on the run page', () => {
  it('tells system keys from training metrics by the system/ prefix', () => {
    expect(isSystemMetric('system/cpu_utilization_percentage')).toBe(true);
    expect(isSystemMetric('loss')).toBe(false);
    expect(isSystemMetric('val/system/loss')).toBe(false);
    expect(isSystemMetric('systems/x')).toBe(false);
  });

  it('reads the unit from the key suffix', () => {
    expect(systemMetricUnit('system/cpu_utilization_percentage')).toBe('%');
    expect(systemMetricUnit('system/gpu_3_memory_usage_megabytes')).toBe('MB');
    expect(systemMetricUnit('system/gpu_0_power_usage_watts')).toBe('W');
    expect(systemMetricUnit('system/something_else')).toBeNull();
    expect(withUnit('45.2', '%')).toBe('45.2 %');
    expect(withUnit('—', 'MB')).toBe('—');
    expect(withUnit('3', null)).toBe('3');
  });

  it('names the SDK and MLflow keys in words, with their unit', () => {
    expect(systemMetricTitle('system/cpu_utilization_percentage')).toBe('CPU utilisation (%)');
    expect(systemMetricTitle('system/system_memory_usage_megabytes')).toBe('Memory in use (MB)');
    expect(systemMetricTitle('system/system_memory_usage_percentage')).toBe('Memory in use (%)');
    expect(systemMetricTitle('system/gpu_0_utilization_percentage')).toBe('GPU 0 utilisation (%)');
    expect(systemMetricTitle('system/gpu_12_memory_usage_megabytes')).toBe('GPU 12 memory in use (MB)');
    expect(systemMetricTitle('system/gpu_1_power_usage_watts')).toBe('GPU 1 power draw (W)');
    expect(systemMetricTitle('system/disk_usage_megabytes')).toBe('Disk usage (MB)');
    expect(systemMetricLabel('system/network_receive_megabytes')).toBe('Network receive');
    expect(systemMetricTitle('system/load')).toBe('Load');
  });

  it('groups CPU and memory, then each GPU by number, then the rest; utilisation before memory', () => {
    const keys = [
      'loss',
      'system/gpu_10_utilization_percentage',
      'system/disk_usage_percentage',
      'system/gpu_2_memory_usage_percentage',
      'system/system_memory_usage_percentage',
      'system/gpu_2_memory_usage_megabytes',
      'system/gpu_2_utilization_percentage',
      'system/gpu_2_power_usage_watts',
      'system/system_memory_usage_megabytes',
      'system/cpu_utilization_percentage',
      'system/cpu_utilization_percentage',
      'system/disk_usage_megabytes',
    ];
    expect(groupSystemMetrics(keys)).toEqual([
      {
        id: 'cpu-memory',
        title: 'CPU and memory',
        keys: ['system/cpu_utilization_percentage', 'system/system_memory_usage_megabytes', 'system/system_memory_usage_percentage'],
      },
      {
        id: 'gpu-2',
        title: 'GPU 2',
        keys: [
          'system/gpu_2_utilization_percentage',
          'system/gpu_2_memory_usage_megabytes',
          'system/gpu_2_memory_usage_percentage',
          'system/gpu_2_power_usage_watts',
        ],
      },
      { id: 'gpu-10', title: 'GPU 10', keys: ['system/gpu_10_utilization_percentage'] },
      { id: 'other', title: 'Other', keys: ['system/disk_usage_megabytes', 'system/disk_usage_percentage'] },
    ]);
    expect(groupSystemMetrics(['loss', 'dice'])).toEqual([]);
  });

  it('writes elapsed time as a clock', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(5_400)).toBe('0:05');
    expect(formatElapsed(750_000)).toBe('12:30');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(27 * 3600_000)).toBe('27:00:00');
    expect(formatElapsed(-5000)).toBe('-0:05');
    expect(formatElapsed(NaN)).toBe('—');
  });

  it('puts time ticks at clock-friendly steps, at most the number asked for', () => {
    expect(timeTicks(0, 120_000)).toEqual([0, 30_000, 60_000, 90_000, 120_000]);
    expect(timeTicks(5_000, 125_000)).toEqual([30_000, 60_000, 90_000, 120_000]);
    expect(timeTicks(0, 3 * 3600_000)).toEqual([0, 3600_000, 7200_000, 10800_000]);
    expect(timeTicks(0, 4_000)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(timeTicks(-10_000, 10_000)).toEqual([-10_000, -5000, 0, 5000, 10_000]);
    expect(timeTicks(0, 0)).toEqual([0]);
    expect(timeTicks(10, 0)).toEqual([]);
    const days = timeTicks(0, 30 * 86_400_000);
    expect(days.length).toBeLessThanOrEqual(6);
    expect(days.length).toBeGreaterThan(1);
    for (const t of days) expect(t % 86_400_000).toBe(0);
    for (const [from, to] of [
      [0, 61_000],
      [0, 7_777_777],
      [123, 98_765],
    ] as const)
      expect(timeTicks(from, to).length).toBeLessThanOrEqual(6);
  });
});
