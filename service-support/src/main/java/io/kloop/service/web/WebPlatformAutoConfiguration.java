package io.kloop.service.web;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reactive web services' shared HTTP behaviour: one error shape ({@link ApiErrors}), strict JSON bodies
 * ({@link StrictJson}: unknown keys, duplicate keys and deep nesting are a 400 naming them), and controller
 * methods that return a plain value (not a {@code Mono} or {@code Flux}) run on a small pool of their own
 * instead of Netty's event loop, since they may wait: for Kafka to acknowledge a send, or on a state-store
 * read. Handlers that return a reactive type stay on the event loop and must not block.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@Import({ApiErrors.class, ErrorAnswersAsJson.class})
public class WebPlatformAutoConfiguration {

  /** Threads for blocking handlers; idle ones end after a minute. */
  static final int BLOCKING_THREADS = 16;

  @Bean
  BlockingHandlers blockingHandlersOffTheEventLoop() {
    return new BlockingHandlers();
  }

  @Bean
  StrictJson.MapperCustomizer strictJsonMapper() {
    return new StrictJson.MapperCustomizer();
  }

  @Bean
  StrictJson.FactoryCustomizer strictJsonLimits() {
    return new StrictJson.FactoryCustomizer();
  }

  @Bean
  StrictBodies strictJsonBodies(JsonMapper mapper) {
    return new StrictBodies(mapper);
  }

  /** Request bodies are read by {@link StrictJsonDecoder}; after Spring Boot's codec set-up, which it replaces. */
  static final class StrictBodies implements WebFluxConfigurer, Ordered {

    private final JsonMapper mapper;

    StrictBodies(JsonMapper mapper) {
      this.mapper = mapper;
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
      configurer.defaultCodecs().jacksonJsonDecoder(new StrictJsonDecoder(mapper));
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  static final class BlockingHandlers implements WebFluxConfigurer, DisposableBean {

    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

    BlockingHandlers() {
      executor.setThreadNamePrefix("http-blocking-");
      executor.setCorePoolSize(BLOCKING_THREADS);
      executor.setMaxPoolSize(BLOCKING_THREADS);
      executor.setAllowCoreThreadTimeOut(true);
      executor.initialize();
    }

    @Override
    public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
      configurer.setExecutor(executor);
    }

    @Override
    public void destroy() {
      executor.shutdown();
    }
  }
}
