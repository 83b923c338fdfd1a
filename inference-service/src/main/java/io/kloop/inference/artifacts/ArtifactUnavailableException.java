package io.kloop.inference.artifacts;

/**
 * An approved version's artifact could not be had, or was not the bytes its SHA-256 names. {@link #retryable()}
 * says whether trying again later can help (a download that failed) or not (a file in the shared store
 * that is missing or changed stays so until someone acts).
 */
public class ArtifactUnavailableException extends RuntimeException {

  private final boolean retryable;

  public ArtifactUnavailableException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
