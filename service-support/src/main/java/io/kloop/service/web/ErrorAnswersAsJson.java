package io.kloop.service.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.accept.HeaderContentTypeResolver;
import org.springframework.web.reactive.accept.RequestedContentTypeResolverBuilder;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error answer is a JSON object with an {@code error}, whatever the client accepts and wherever the error
 * comes from:
 *
 * <ul>
 *   <li>JSON is always acceptable, after whatever the client asked for: an artifact download's errors (404 for an
 *       unknown version, 400 for a name no model can have) are JSON even for {@code Accept: application/onnx}, and the
 *       drift page's for {@code Accept: text/html}, rather than a 406 with an HTML page; an unparsable {@code Accept}
 *       header is read as {@code *}{@code /*};
 *   <li>an error answered without a body (the actuator's 404 for an unknown metric, say) gets one;
 *   <li>a path with an encoded '/' in a segment ({@code %2F}) is refused with a 400 before any handler sees it:
 *       no name here can hold one, and Spring Boot's health endpoint answers one with a 500
 *       ({@code /actuator/health/a%2Fb}: {@code 'value' must contain only one segment}).
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ErrorAnswersAsJson {

  private static final MediaType LAST_RESORT = new MediaType(MediaType.APPLICATION_JSON, Map.of("q", "0.001"));

  @Bean
  WebFluxConfigurer jsonAlwaysAcceptable() {
    HeaderContentTypeResolver accept = new HeaderContentTypeResolver();
    return new WebFluxConfigurer() {
      @Override
      public void configureContentTypeResolver(RequestedContentTypeResolverBuilder builder) {
        builder.resolver(exchange -> {
          List<MediaType> accepted;
          try {
            accepted = accept.resolveMediaTypes(exchange);
          } catch (NotAcceptableStatusException e) {
            return List.of(MediaType.ALL);
          }
          if (accepted.stream().anyMatch(type -> type.includes(MediaType.APPLICATION_JSON))) {
            return accepted;
          }
          List<MediaType> withJson = new ArrayList<>(accepted);
          withJson.add(LAST_RESORT);
          return withJson;
        });
      }
    };
  }

  @Bean
  WebFilter errorBodies(JsonMapper json) {
    return new ErrorBodies(json);
  }

  @Bean
  WebFilter noEncodedSlashes(JsonMapper json) {
    return (exchange, chain) -> {
      boolean slashInSegment = exchange.getRequest().getPath().pathWithinApplication().elements().stream()
          .anyMatch(element -> element instanceof PathContainer.PathSegment segment && segment.valueToMatch().contains("/"));
      if (!slashInSegment) {
        return chain.filter(exchange);
      }
      ServerHttpResponse response = exchange.getResponse();
      response.setStatusCode(HttpStatus.BAD_REQUEST);
      response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
      byte[] body = json.writeValueAsBytes(ApiErrors.error("a path segment may not contain an encoded '/' (%2F)"));
      return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    };
  }

  /** Gives an error answer completed without a body the JSON error body every other error has. */
  static final class ErrorBodies implements WebFilter, Ordered {

    private final JsonMapper json;

    ErrorBodies(JsonMapper json) {
      this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod())) {
        return chain.filter(exchange);
      }
      ServerHttpResponse response = new ServerHttpResponseDecorator(exchange.getResponse()) {
        @Override
        public Mono<Void> setComplete() {
          HttpStatusCode status = getStatusCode();
          if (status == null || !status.isError() || isCommitted() || getHeaders().getContentType() != null) {
            return super.setComplete();
          }
          HttpStatus known = HttpStatus.resolve(status.value());
          byte[] body = json.writeValueAsBytes(ApiErrors.error(known == null ? "HTTP " + status.value() : known.getReasonPhrase()));
          getHeaders().setContentType(MediaType.APPLICATION_JSON);
          getHeaders().setContentLength(body.length);
          return writeWith(Mono.just(bufferFactory().wrap(body)));
        }
      };
      return chain.filter(exchange.mutate().response(response).build());
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }
}
