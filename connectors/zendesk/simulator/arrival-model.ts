import { type DriverKey, driverCatalog } from './driver-catalog.ts';
import { standardNormal, unitHash } from './random.ts';

/**
 * When tickets arrive and why: weekly seasonality (weekends ~35 % of weekday volume), daily seasonality
 * in UTC (business-hours peak, night trough), day-to-day and hour-to-hour noise, and a driver mix in
 * which how-to and login questions dominate and cancellations are rare. A release spike multiplies one
 * driver's rate inside its window. Everything is a pure function of the seed, so history and live
 * arrivals follow one model.
 */
export const driverBaseShare: Readonly<Record<DriverKey, number>> = {
  'configuration/sso': 0.08,
  'configuration/integrations': 0.1,
  'access/login': 0.2,
  'billing/invoice': 0.11,
  'billing/refund': 0.08,
  'product/bug': 0.14,
  'product/how-to': 0.24,
  'account/cancellation': 0.05,
};

/** Relative volume per UTC hour of day. */
const hourOfDayFactor = [
  0.22, 0.18, 0.16, 0.16, 0.2, 0.3, 0.5, 0.75, 0.95, 1.1, 1.2, 1.2, 1.1, 1.15, 1.2, 1.15, 1.05, 0.9, 0.7, 0.55, 0.45,
  0.38, 0.3, 0.25,
];
const weekendFactor = 0.35;
const dayNoiseSigma = 0.08;
const hourNoiseSigma = 0.12;
const saltDayNoise = 101;
const saltHourNoise = 103;

export interface SpikeWindow {
  driverIndex: number;
  startSec: number;
  endSec: number;
  /** Relative increase of the driver's rate inside the window: 0.4 = +40 %. */
  lift: number;
}

export interface ArrivalModel {
  /** Relative arrival intensity of the epoch hour `hourIndex` (seasonality × noise × driver mix). */
  hourWeight(hourIndex: number): number;
  /** Normalised cumulative driver distribution at `timeSec` (catalog order, last entry 1). */
  driverCumulative(timeSec: number): Float64Array;
  /** Mean noise-free hourly weight over a week without a spike: converts tickets/hour into a rate. */
  meanHourWeight(): number;
}

function seasonalFactor(hourIndex: number): number {
  const dayIndex = Math.floor(hourIndex / 24);
  const dayOfWeek = (dayIndex + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const weekend = dayOfWeek === 0 || dayOfWeek === 6;
  return (hourOfDayFactor[hourIndex % 24] ?? 1) * (weekend ? weekendFactor : 1);
}

function cumulativeOf(weights: number[]): Float64Array {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const cumulative = new Float64Array(weights.length);
  let running = 0;
  weights.forEach((w, i) => {
    running += w / total;
    cumulative[i] = running;
  });
  cumulative[weights.length - 1] = 1;
  return cumulative;
}

export function createArrivalModel(seed: number, spike: SpikeWindow | null): ArrivalModel {
  const baseShares = driverCatalog.map((driver) => driverBaseShare[driver.key]);
  const spikedShares = baseShares.map((share, i) => (spike && i === spike.driverIndex ? share * (1 + spike.lift) : share));
  const baseCumulative = cumulativeOf(baseShares);
  const spikedCumulative = cumulativeOf(spikedShares);
  const spikedSum = spikedShares.reduce((sum, share) => sum + share, 0);
  const inSpike = (timeSec: number): boolean => spike !== null && timeSec >= spike.startSec && timeSec < spike.endSec;
  const noise = (index: number, salt: number, sigma: number): number =>
    Math.exp(sigma * standardNormal(unitHash(seed, index, salt), unitHash(seed, index, salt + 1)));
  return {
    hourWeight(hourIndex) {
      const mix = inSpike(hourIndex * 3600 + 1800) ? spikedSum : 1;
      const dayNoise = noise(Math.floor(hourIndex / 24), saltDayNoise, dayNoiseSigma);
      return seasonalFactor(hourIndex) * mix * dayNoise * noise(hourIndex, saltHourNoise, hourNoiseSigma);
    },
    driverCumulative(timeSec) {
      return inSpike(timeSec) ? spikedCumulative : baseCumulative;
    },
    meanHourWeight() {
      let sum = 0;
      for (let hour = 0; hour < 168; hour++) sum += seasonalFactor(hour);
      return sum / 168;
    },
  };
}
