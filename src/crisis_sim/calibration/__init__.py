"""Calibration of judgement parameters to targets known before t0, and posterior samples."""
