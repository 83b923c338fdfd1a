package io.kloop.service.artifacts;

/** An artifact that is missing, unreadable or not the bytes its SHA-256 names. */
public class ArtifactIntegrityException extends RuntimeException {

  public ArtifactIntegrityException(String message) {
    super(message);
  }

  public ArtifactIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
