package dev.minimalimage.operator;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The clock of the reconciler: the system's, in UTC (status timestamps are UTC, second resolution). */
public class OperatorClock {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
