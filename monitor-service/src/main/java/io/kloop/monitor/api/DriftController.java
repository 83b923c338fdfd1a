package io.kloop.monitor.api;

import io.kloop.events.DriftReported;
import io.kloop.events.DriftStatistic;
import io.kloop.events.FeatureType;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.drift.TextDriftNames;
import io.kloop.monitor.performance.PerformanceReader;
import io.kloop.monitor.window.ApprovedModels;
import io.kloop.monitor.window.DriftReader;
import io.kloop.monitor.window.ModelDriftState;
import io.kloop.service.web.AvroJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Drift for operators: {@code GET /v1/models/{name}/drift} (the current window's verdict per feature, the
 * recent windows, the drift episode) as JSON, and {@code GET /v1/models/{name}/drift/report} as a page, with the
 * model's live performance in a section of its own. A name
 * that is no model name is a 400, a model never approved nor monitored a 404, both JSON errors (also from the
 * page's address).
 */
@RestController
class DriftController {

  /** The name training gives the model output's profile. */
  private static final String OUTPUT = "output";

  private final DriftReader reader;
  private final ApprovedModels approvals;
  private final PerformanceReader performance;

  DriftController(DriftReader reader, ApprovedModels approvals, PerformanceReader performance) {
    this.reader = reader;
    this.approvals = approvals;
    this.performance = performance;
  }

  @GetMapping("/v1/models/{name}/drift")
  Map<String, Object> drift(@PathVariable String name) {
    List<DriftReported> reports = reportsOf(name);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", name);
    body.put("champion", approvals.champion(name).orElse(null));
    Optional<ModelDriftState> state = reader.state(name);
    Map<String, Object> episode = new LinkedHashMap<>();
    episode.put("open", state.map(ModelDriftState::episodeOpen).orElse(false));
    episode.put("openedBy", state.map(ModelDriftState::episodeReportId).orElse(null));
    episode.put("lastRetrainingRequestAt", state.map(ModelDriftState::lastRequestAt).map(Instant::ofEpochMilli).map(Object::toString)
        .orElse(null));
    body.put("episode", episode);
    if (reports.isEmpty()) {
      body.put("current", null);
      body.put("features", List.of());
      body.put("windows", List.of());
      return body;
    }
    DriftReported current = reports.get(reports.size() - 1);
    body.put("current", summary(current));
    body.put("features", features(current, inputsOf(name, current)));
    List<Object> windows = new ArrayList<>();
    for (int i = reports.size() - 1; i >= 0; i--) {
      windows.add(AvroJson.tree(reports.get(i)));
    }
    body.put("windows", windows);
    return body;
  }

  @GetMapping(value = "/v1/models/{name}/drift/report", produces = MediaType.TEXT_HTML_VALUE)
  String report(@PathVariable String name) {
    List<DriftReported> reports = reportsOf(name);
    Set<String> inputs = reports.isEmpty() ? Set.of() : inputsOf(name, reports.get(reports.size() - 1));
    String performanceSection = PerformanceSection.render(performance.reports(name, PerformanceWindowKind.LABELLED),
        performance.reports(name, PerformanceWindowKind.PREDICTED));
    return DriftReportPage.render(name, reports, inputs, reader.state(name).orElse(null), approvals.champion(name).orElse(null), performanceSection);
  }

  private List<DriftReported> reportsOf(String name) {
    ModelNames.problem(name).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    List<DriftReported> reports = reader.reports(name);
    if (reports.isEmpty() && approvals.champion(name).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named " + name + " has been approved or monitored");
    }
    return reports;
  }

  /**
   * The input feature names of a model version, as its statistics are reported: from its approval when the
   * monitor has read it (a text input by its three derived names, {@link TextDriftNames}), otherwise every
   * tested name but the output's (training names the output profile {@code output}, and the output's
   * probability tests {@code output:P(<class>)}).
   */
  Set<String> inputsOf(String model, DriftReported report) {
    return approvals.get(model, report.getVersion())
        .map(approval -> approval.getSignature().getInputs().stream()
            .flatMap(input -> input.getType() == FeatureType.TEXT ? TextDriftNames.of(input.getName()).stream() : Stream.of(input.getName()))
            .collect(Collectors.toSet()))
        .orElseGet(() -> report.getFeatures().stream().map(statistic -> statistic.getFeature())
            .filter(name -> !name.equals(OUTPUT) && !name.startsWith(OUTPUT + ":")).collect(Collectors.toSet()));
  }

  /** The window's decision, without the statistics. */
  static Map<String, Object> summary(DriftReported report) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("reportId", report.getReportId());
    summary.put("version", report.getVersion());
    summary.put("window", AvroJson.tree(report.getWindow()));
    summary.put("drifting", report.getDrifting());
    summary.put("driftedFeatures", report.getDriftedFeatures());
    summary.put("driftedShare", report.getDriftedShare());
    summary.put("shareThreshold", report.getShareThreshold());
    summary.put("outputDrifted", report.getOutputDrifted());
    summary.put("notes", report.getNotes());
    return summary;
  }

  /**
   * Per input feature and output part: its verdict in the window (an output part carries the output's
   * verdict) and each test's statistic, threshold and verdict.
   */
  static List<Map<String, Object>> features(DriftReported report, Set<String> inputs) {
    Map<String, Map<String, Object>> byFeature = new LinkedHashMap<>();
    for (DriftStatistic statistic : report.getFeatures()) {
      Map<String, Object> feature = byFeature.computeIfAbsent(statistic.getFeature(), name -> {
        boolean input = inputs.contains(name);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("feature", name);
        entry.put("role", input ? "input" : "output");
        entry.put("drifted", input ? report.getDriftedFeatures().contains(name) : report.getOutputDrifted());
        entry.put("tests", new ArrayList<>());
        return entry;
      });
      @SuppressWarnings("unchecked")
      List<Object> tests = (List<Object>) feature.get("tests");
      tests.add(AvroJson.tree(statistic));
    }
    return new ArrayList<>(byFeature.values());
  }
}
