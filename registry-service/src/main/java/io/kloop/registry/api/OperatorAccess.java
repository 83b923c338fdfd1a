package io.kloop.registry.api;

import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryProperties;
import io.kloop.service.web.ApiErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer-token access to the registry's API: every change (approve, reject, rollback) needs an operator's
 * token from {@code kloop.registry.access.operators}, and so do reads when
 * {@code kloop.registry.access.open-reads} is false. No token: 401; a token that is no operator's: 403.
 * The operator's name is what the audit trail records as the decision's actor. Only health and metrics
 * ({@code /actuator/**}) are outside it.
 */
@Component
class OperatorAccess implements WebFilter {

  /** Exchange attribute holding the authenticated operator's name. */
  static final String OPERATOR = OperatorAccess.class.getName() + ".operator";

  private static final Logger log = LoggerFactory.getLogger(OperatorAccess.class);
  private static final String REALM = "Bearer realm=\"kloop-registry\"";
  private static final int SHORT_TOKEN = 16;
  /** Health probes and metrics: open, so orchestrators and scrapers need no token. */
  private static final PathPattern OPEN = PathPatternParser.defaultInstance.parse("/actuator/**");

  private final Map<String, byte[]> operatorsByToken = new LinkedHashMap<>();
  private final boolean openReads;
  private final JsonMapper json;

  OperatorAccess(RegistryProperties properties, JsonMapper json) {
    this.openReads = properties.access().openReads();
    this.json = json;
    Map<String, String> seen = new HashMap<>();
    properties.access().operators().forEach((operator, token) -> {
      RegistryLimits.operatorNameProblem(operator).ifPresent(problem -> {
        throw new IllegalArgumentException("kloop.registry.access.operators: " + problem + " (it is recorded as the actor of the operator's decisions)");
      });
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("kloop.registry.access.operators." + operator + " has an empty token");
      }
      String other = seen.put(token, operator);
      if (other != null) {
        throw new IllegalArgumentException("operators " + other + " and " + operator + " share a token, so decisions could not say who made them");
      }
      if (token.length() < SHORT_TOKEN) {
        log.warn("The token of operator {} has fewer than {} characters; use a long random one", operator, SHORT_TOKEN);
      }
      operatorsByToken.put(operator, digest(token));
    });
    if (operatorsByToken.isEmpty()) {
      log.warn("No operator tokens configured (kloop.registry.access.operators): approve, reject and rollback are refused; "
          + "only the promotion policy decides");
    }
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    // Matched as routing matches (decoded segments, ';' parameters dropped), so no spelling of a path
    // reaches a controller without passing here.
    if (OPEN.matches(exchange.getRequest().getPath().pathWithinApplication())) {
      return chain.filter(exchange);
    }
    HttpMethod method = exchange.getRequest().getMethod();
    boolean read = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
    if (read && openReads) {
      return chain.filter(exchange);
    }
    String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
      return refuse(exchange, HttpStatus.UNAUTHORIZED, REALM,
          (read ? "reading the registry" : "this change") + " needs an operator's token: send 'Authorization: Bearer <token>'");
    }
    String operator = operatorOf(authorization.substring(7).trim());
    if (operator == null) {
      return refuse(exchange, HttpStatus.FORBIDDEN, REALM + ", error=\"insufficient_scope\"", operatorsByToken.isEmpty()
          ? "no operator tokens are configured (kloop.registry.access.operators), so the registry accepts no operator's decision"
          : "the bearer token is not an operator's token");
    }
    exchange.getAttributes().put(OPERATOR, operator);
    return chain.filter(exchange);
  }

  /** Compares digests in constant time, so the answer's timing says nothing about a token's characters. */
  private String operatorOf(String token) {
    byte[] presented = digest(token);
    String match = null;
    for (Map.Entry<String, byte[]> operator : operatorsByToken.entrySet()) {
      if (MessageDigest.isEqual(operator.getValue(), presented)) {
        match = operator.getKey();
      }
    }
    return match;
  }

  private Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String challenge, String message) {
    ServerHttpResponse response = exchange.getResponse();
    response.setStatusCode(status);
    response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    DataBuffer body = response.bufferFactory().wrap(json.writeValueAsBytes(ApiErrors.error(message)));
    return response.writeWith(Mono.just(body));
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
