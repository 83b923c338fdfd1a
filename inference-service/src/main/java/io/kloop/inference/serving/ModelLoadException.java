package io.kloop.inference.serving;

/** An approved model version that cannot be served; the version before it keeps serving. */
public class ModelLoadException extends RuntimeException {

  private final boolean retryable;

  ModelLoadException(String message, Throwable cause) {
    this(message, false, cause);
  }

  ModelLoadException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether loading the same approval again later may succeed (its artifact could not be downloaded). */
  boolean retryable() {
    return retryable;
  }
}
