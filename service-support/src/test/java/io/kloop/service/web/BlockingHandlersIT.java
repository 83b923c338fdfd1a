package io.kloop.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.test.WithKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** A service's plain handlers run off Netty's event loop, its reactive ones on it. */
// Closed after the class: a cached context would keep its server and threads running through later classes.
@DirtiesContext
@SpringBootTest(classes = BlockingHandlersIT.ProbeService.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=blocking-probe")
@WithKafkaBroker
class BlockingHandlersIT {

  @Autowired Environment environment;

  @Test
  void shouldRunPlainHandlersOnTheBlockingPoolAndReactiveOnesOnTheEventLoop() throws Exception {
    assertThat(get("/plain")).startsWith("http-blocking-");
    assertThat(get("/reactive")).as("an event-loop thread").doesNotStartWith("http-blocking-").contains("http");
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @SpringBootApplication
  static class ProbeService {

    @RestController
    static class ThreadNames {

      @GetMapping("/plain")
      String plain() {
        return Thread.currentThread().getName();
      }

      @GetMapping("/reactive")
      Mono<String> reactive() {
        return Mono.fromSupplier(() -> Thread.currentThread().getName());
      }
    }
  }
}
