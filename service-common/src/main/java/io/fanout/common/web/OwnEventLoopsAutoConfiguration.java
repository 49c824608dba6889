package io.fanout.common.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Gives each application event loops of its own instead of Reactor Netty's global ones. By default,
 * closing an application disposes the global loops, and with them every other server in the same JVM;
 * with this, the services can run side by side in one JVM (the system tests restart one while the
 * other keeps serving). A service alone in its JVM behaves the same either way.
 */
@AutoConfiguration(
        beforeName = "org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration")
@ConditionalOnClass(ReactorResourceFactory.class)
public class OwnEventLoopsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }
}
