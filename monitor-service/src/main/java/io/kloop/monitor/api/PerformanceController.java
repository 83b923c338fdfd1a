package io.kloop.monitor.api;

import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.performance.PerformanceReader;
import io.kloop.monitor.window.ApprovedModels;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Live performance for operators: {@code GET /v1/models/{name}/performance}, the recent windows of labelled and of
 * served predictions with their realized and estimated figures, and how the estimate tracked the realized ones. A
 * name that is no model name is a 400, a model never approved nor measured a 404, both JSON errors.
 *
 * <p>{@code ?limit=} bounds the answer: at most that many reports of each kind, newest first (default
 * {@value #DEFAULT_LIMIT}, from 1 to {@code kloop.monitor.recent-reports}; outside that range a 400), each with its
 * k × k confusion matrix. The tracking figures cover every recent labelled window the monitor keeps.
 */
@RestController
class PerformanceController {

  /** Reports of each kind in an answer without {@code ?limit=}. */
  static final int DEFAULT_LIMIT = 10;

  private final PerformanceReader reader;
  private final ApprovedModels approvals;
  private final MonitorProperties properties;

  PerformanceController(PerformanceReader reader, ApprovedModels approvals, MonitorProperties properties) {
    this.reader = reader;
    this.approvals = approvals;
    this.properties = properties;
  }

  @GetMapping("/v1/models/{name}/performance")
  Map<String, Object> performance(@PathVariable String name, @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
    ModelNames.problem(name).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    if (limit < 1 || limit > properties.recentReports()) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be from 1 to " + properties.recentReports()
          + " (kloop.monitor.recent-reports), not " + limit);
    }
    List<PerformanceReported> labelled = reader.reports(name, PerformanceWindowKind.LABELLED);
    List<PerformanceReported> predicted = reader.reports(name, PerformanceWindowKind.PREDICTED);
    if (labelled.isEmpty() && predicted.isEmpty() && approvals.champion(name).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named " + name + " has been approved or measured");
    }
    return PerformanceView.body(name, approvals.champion(name).orElse(null), labelled, predicted, reader.state(name).orElse(null), limit);
  }
}
