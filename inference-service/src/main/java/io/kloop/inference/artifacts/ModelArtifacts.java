package io.kloop.inference.artifacts;

import io.kloop.events.ModelApproved;

/** Where the service gets an approved version's ONNX file: the shared artifact store, or the registry over HTTP. */
public interface ModelArtifacts {

  /**
   * The bytes of the approved version's artifact, verified against the SHA-256 the approval names.
   *
   * @throws ArtifactUnavailableException when they cannot be had, or are not the bytes that hash names
   */
  byte[] read(ModelApproved approval);

  /** Where the artifacts come from, for the start-up log. */
  String describe();
}
