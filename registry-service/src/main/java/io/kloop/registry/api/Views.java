package io.kloop.registry.api;

import io.kloop.events.ModelTrained;
import io.kloop.registry.state.ModelEntry;
import io.kloop.registry.state.VersionEntry;
import io.kloop.registry.state.VersionStatus;
import io.kloop.service.web.AvroJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry's state as its HTTP API shows it. */
final class Views {

  private Views() {}

  static Map<String, Object> model(ModelEntry model, List<VersionEntry> versions) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("model", model.model());
    view.put("championVersion", model.champion());
    view.put("latestVersion", model.latestVersion());
    view.put("pendingVersions", versions.stream().filter(v -> v.status() == VersionStatus.PENDING).map(VersionEntry::version).toList());
    view.put("championHistory", model.championHistory());
    view.put("decisions", model.decisions());
    view.put("createdAt", model.createdAt());
    view.put("updatedAt", model.updatedAt());
    view.put("links", Map.of(
        "versions", base(model.model()) + "/versions",
        "audit", base(model.model()) + "/audit"));
    return view;
  }

  /**
   * A version with its status, metrics, the champion's metrics on the same split, lineage, artifact and, for an imported
   * model, its origin;
   * with {@code detail}, also its signature and reference profile.
   */
  static Map<String, Object> version(VersionEntry version, ModelTrained run, boolean detail) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("model", version.model());
    view.put("version", version.version());
    view.put("status", version.status());
    view.put("statusSince", version.statusSince());
    view.put("decisionId", version.decisionId());
    view.put("reason", version.reason());
    view.put("registeredAt", version.registeredAt());
    view.put("runId", run.getRunId());
    view.put("trigger", run.getTrigger());
    view.put("algorithm", run.getAlgorithm());
    // Where an imported model came from (who imported it, the file's hash and size, framework, description, producer); null otherwise.
    view.put("origin", run.getOrigin() == null ? null : AvroJson.tree(run.getOrigin()));
    view.put("hyperparameters", AvroJson.tree(run.getHyperparameters()));
    view.put("codeVersion", run.getCodeVersion());
    view.put("trainedAt", run.getStartedAt());
    view.put("trainingMillis", run.getDurationMillis());
    view.put("metrics", AvroJson.tree(run.getMetrics()));
    Map<String, Object> champion = null;
    if (run.getChampionMetrics() != null) {
      champion = new LinkedHashMap<>();
      champion.put("version", run.getChampionVersion());
      champion.put("metrics", AvroJson.tree(run.getChampionMetrics()));
    }
    view.put("championAtTraining", champion);
    view.put("lineage", Map.of("dataset", run.getDataset(), "batches", AvroJson.tree(run.getLineage())));
    Map<String, Object> artifact = new LinkedHashMap<>();
    artifact.put("sha256", run.getArtifact().getSha256());
    artifact.put("sizeBytes", run.getArtifact().getSizeBytes());
    artifact.put("mediaType", run.getArtifact().getMediaType());
    artifact.put("download", base(version.model()) + "/versions/" + version.version() + "/artifact");
    view.put("artifact", artifact);
    if (detail) {
      view.put("signature", AvroJson.tree(run.getSignature()));
      view.put("referenceProfile", AvroJson.tree(run.getReferenceProfile()));
    }
    return view;
  }

  static String base(String model) {
    return "/v1/models/" + model;
  }
}
