package io.kloop.registry.api;

import io.kloop.registry.state.RegistryUnavailableException;
import io.kloop.service.web.ApiErrors;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** 503 with {@code Retry-After} while the registry's state is not readable (starting, restoring, rebalancing). */
@RestControllerAdvice
class RegistryApiErrors {

  @ExceptionHandler(RegistryUnavailableException.class)
  ResponseEntity<Map<String, Object>> unavailable(RegistryUnavailableException e) {
    return unavailable(e.getMessage());
  }

  @ExceptionHandler(InvalidStateStoreException.class)
  ResponseEntity<Map<String, Object>> moving(InvalidStateStoreException e) {
    return unavailable("the registry's state is being restored or moved between instances; try again shortly");
  }

  static ResponseEntity<Map<String, Object>> unavailable(String message) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(ApiErrors.error(message));
  }
}
