package io.kloop.inference.api;

import io.kloop.service.web.ApiErrors;

/**
 * A request a functional endpoint cannot read, a body that is not JSON of the right shape or a bad query
 * parameter: 400, worded as {@link ApiErrors} words the annotated controllers' unreadable requests.
 */
class UnreadableRequestException extends RuntimeException {

  /**
   * @param parameter the query parameter at fault, or null for the body
   * @param detail what is wrong (only its first line is kept)
   */
  UnreadableRequestException(String parameter, String detail, Throwable cause) {
    super(ApiErrors.unreadableMessage(parameter, detail), cause);
  }
}
