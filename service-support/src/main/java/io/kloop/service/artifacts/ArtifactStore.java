package io.kloop.service.artifacts;

import io.kloop.events.ArtifactRef;

/**
 * Immutable, content-addressed blobs shared by the services: dataset batches written by ingest and read by
 * training, models written by training and served by the registry. A blob's identity is its SHA-256;
 * writing the same bytes twice stores them once, and every read verifies the hash.
 */
public interface ArtifactStore {

  /** Stores the bytes (idempotently) and says where they are. */
  ArtifactRef put(byte[] content, String mediaType);

  /** The bytes of an artifact, verified against its SHA-256. */
  byte[] read(ArtifactRef artifact) throws ArtifactIntegrityException;
}
