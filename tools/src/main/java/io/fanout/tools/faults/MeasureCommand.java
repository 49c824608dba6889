package io.fanout.tools.faults;

import picocli.CommandLine.Command;

/**
 * {@code measure}: measurements against platforms that {@code infra/measure-regions} and
 * {@code infra/measure-scale-out} start with {@code infra/run-local}. Progress goes to stderr, one line of
 * {@code key=value} figures to stdout; the exit status is 0 only if nothing acked was lost or delivered twice.
 */
@Command(
        name = "measure",
        mixinStandardHelpOptions = true,
        description = "Regions and scale-out measurements (infra/measure-regions, infra/measure-scale-out call these).",
        subcommands = {RegionsMeasurement.class, ScaleOutMeasurement.class})
public final class MeasureCommand {}
