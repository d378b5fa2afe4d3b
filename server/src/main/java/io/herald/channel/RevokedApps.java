package io.herald.channel;

import io.herald.app.AppManager;
import io.herald.wire.ErrorCodes;

/**
 * With apps kept in a database, an app can be disabled or deleted while its clients are
 * connected. Every app-cache TTL this node reads again each app it has connections of, and closes
 * them with 4003 when the app is gone or disabled (pusher-js then stops reconnecting). Other
 * changes (a new secret, new limits) apply to new connections only: an open connection keeps the
 * app as it was when it connected.
 */
public final class RevokedApps {
    private RevokedApps() {}

    /** Checks every app with connections here; an app the database cannot be asked about is left alone. */
    public static void closeConnectionsOfRevokedApps(AppManager apps, ConnectionQuota quota, ChannelRegistry registry) {
        for (String appId : quota.perApp().keySet()) {
            apps.findById(appId).thenAccept(app -> {
                if (app.isEmpty() || !app.get().enabled()) {
                    String reason = app.isEmpty() ? "App " + appId + " no longer exists" : "App " + appId + " is disabled";
                    registry.forEachConnection(connection -> {
                        if (connection.app().id().equals(appId)) {
                            connection.close(ErrorCodes.APP_DISABLED, reason);
                        }
                    });
                }
            });
        }
    }
}
