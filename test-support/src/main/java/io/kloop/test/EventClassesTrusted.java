package io.kloop.test;

import io.kloop.schemas.EventCatalog;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes Avro trust the event classes before any test runs, as a service does when it starts: a test that
 * builds an event with a field left at a record or enum default would otherwise fail depending on whether an
 * earlier test in the same JVM happened to decode an event first.
 */
public final class EventClassesTrusted implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    EventCatalog.trustEventClasses();
  }
}
