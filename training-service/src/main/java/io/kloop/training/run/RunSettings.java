package io.kloop.training.run;

import io.kloop.training.TrainingProperties;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.GitProperties;
import org.springframework.stereotype.Component;

/**
 * What every run of this instance shares: the seed its splits and searches start from, how long it may take, how
 * many hashed-token columns a text input takes, and
 * the version of the code that trains (the commit, "-dirty" when built from uncommitted changes, or "unknown"),
 * which each {@code ModelTrained} and {@code TrainingFailed} records, and the clock that times runs (the service's
 * {@link Clock}, the same that dates an import's start, so that a run's duration never mixes two clocks).
 */
@Component
class RunSettings {

  private final long seed;
  private final Duration timeLimit;
  private final int textHashBuckets;
  private final String codeVersion;
  private final Clock clock;

  RunSettings(TrainingProperties properties, ObjectProvider<GitProperties> git, Clock clock) {
    this.clock = clock;
    this.seed = properties.seed();
    this.timeLimit = properties.runTimeout();
    this.textHashBuckets = properties.textHashBuckets();
    GitProperties commit = git.getIfAvailable();
    String commitId = commit == null ? null : commit.get("commit.id.full") != null ? commit.get("commit.id.full") : commit.getCommitId();
    this.codeVersion = commitId == null ? "unknown" : commitId + ("true".equals(commit.get("dirty")) ? "-dirty" : "");
  }

  long seed() {
    return seed;
  }

  Duration timeLimit() {
    return timeLimit;
  }

  /** Hashed-token columns per text input of a trained model. */
  int textHashBuckets() {
    return textHashBuckets;
  }

  String codeVersion() {
    return codeVersion;
  }

  /** The time of runs' starts, ends and events. */
  Clock clock() {
    return clock;
  }
}
