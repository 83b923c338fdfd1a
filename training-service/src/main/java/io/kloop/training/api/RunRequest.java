package io.kloop.training.api;

import io.kloop.training.spec.Texts;
import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@code POST /v1/models/{name}/runs}; both fields are optional.
 *
 * @param requestedBy who asks (at most {@value Texts#MAX_IDENTIFIER} characters, no control characters); {@code http} when left out
 * @param comment why (at most {@value Texts#MAX_FREE_TEXT} characters; tabs and line breaks allowed, other control characters not)
 */
public record RunRequest(String requestedBy, String comment) {

  /** What is wrong with the request; empty when nothing is. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    Texts.identifier("requestedBy", requestedBy, Texts.MAX_IDENTIFIER, problems);
    Texts.freeText("comment", comment, Texts.MAX_FREE_TEXT, problems);
    return problems;
  }
}
