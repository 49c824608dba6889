package io.fanout.bench;

import java.util.Map;

/** One phase's summary line and its figures for the result file. */
record PhaseResult(String name, String line, Map<String, Object> figures) {}
