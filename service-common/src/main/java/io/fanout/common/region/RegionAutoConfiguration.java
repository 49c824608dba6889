package io.fanout.common.region;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Binds {@code fanout.region.*} for both services. */
@AutoConfiguration
@EnableConfigurationProperties(RegionProperties.class)
public class RegionAutoConfiguration {}
