/**
 * A port of the Numenta Anomaly Benchmark's v1.1 scorer (nab/sweeper.py, nab/optimizer.py,
 * nab/scorer.py, nab/runner.py at github.com/numenta/NAB commit ea702d75, MIT).
 */
export { normaliseScore, type WindowTally } from './normalise.ts';
export { NO_DETECTION_THRESHOLD, optimiseThreshold, type ThresholdChoice } from './optimise-threshold.ts';
export { costMatrix, NAB_PROFILES, PROFILE_NAMES, type CostMatrix, type ProfileName } from './profiles.ts';
export { PROBATION_PERCENT, probationLength, rowWeights, type RowWeights } from './row-weights.ts';
export { MAX_TP, scaledSigmoid } from './scaled-sigmoid.ts';
export { type CorpusScore, scoreAtThreshold, scoreCorpus, type ScoreOptions } from './score-corpus.ts';
export { type CorpusFile, type FileScore, scoreFileAtThreshold, type SweptFile, sweepFile } from './score-file.ts';
export { loadWindows, locateWindows, type NabWindow, type NabWindows, parseWindows, type WindowIndices } from './windows.ts';
