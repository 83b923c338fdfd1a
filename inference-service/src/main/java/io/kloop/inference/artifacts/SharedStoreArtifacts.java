package io.kloop.inference.artifacts;

import io.kloop.events.ModelApproved;
import io.kloop.service.artifacts.ArtifactIntegrityException;
import io.kloop.service.artifacts.LocalArtifactStore;

/** Artifacts read from the artifact store shared with training and the registry (one directory, or a shared volume). */
public final class SharedStoreArtifacts implements ModelArtifacts {

  private final LocalArtifactStore store;

  public SharedStoreArtifacts(LocalArtifactStore store) {
    this.store = store;
  }

  @Override
  public byte[] read(ModelApproved approval) {
    try {
      return store.read(approval.getArtifact());
    } catch (ArtifactIntegrityException | IllegalArgumentException e) {
      throw new ArtifactUnavailableException("artifact " + approval.getArtifact().getSha256() + " unusable: " + e.getMessage(), false, e);
    }
  }

  @Override
  public String describe() {
    return "shared artifact store " + store.root();
  }
}
