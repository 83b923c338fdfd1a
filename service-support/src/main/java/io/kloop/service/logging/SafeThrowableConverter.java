package io.kloop.service.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * Logback's exception converter with each exception's message escaped ({@link LogSafe}): an exception may
 * carry what a client sent (a parser's message quotes the input), and the stack trace's own line breaks
 * must stay the only ones. Registered for {@code ex}, {@code exception}, {@code throwable} and {@code xEx};
 * a pattern must name it ({@code %ex}), since Logback adds its own unescaped converter to a pattern that has
 * none.
 */
public class SafeThrowableConverter extends ExtendedThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new Escaped(proxy));
  }

  /** Spring Boot's {@code %wEx}, escaped: the trace starts on a line of its own and ends with a line break. */
  public static class Whitespace extends SafeThrowableConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
      return System.lineSeparator() + super.throwableProxyToString(proxy) + System.lineSeparator();
    }
  }

  /** The proxy with its message, and its causes' and suppressed exceptions' messages, escaped. */
  private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {

    @Override
    public String getMessage() {
      return LogSafe.escape(proxy.getMessage());
    }

    @Override
    public String getOverridingMessage() {
      return LogSafe.escape(proxy.getOverridingMessage());
    }

    @Override
    public String getClassName() {
      return proxy.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return proxy.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return proxy.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return proxy.getCause() == null ? null : new Escaped(proxy.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = proxy.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        escaped[i] = new Escaped(suppressed[i]);
      }
      return escaped;
    }

    @Override
    public boolean isCyclic() {
      return proxy.isCyclic();
    }
  }
}
