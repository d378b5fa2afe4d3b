package io.herald.it;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.List;

/** Two nodes over Redis pub/sub ({@code adapter.driver: redis}), on the Redis scripts/test starts. */
class RedisAdapterTest extends ClusterNodesTest {
    @Override
    HeraldConfig.AdapterConfig adapter(String prefix) {
        String url = TestServers.redisUrl();
        return new HeraldConfig.AdapterConfig.Redis(url, url, prefix, 5000);
    }

    @Override
    String adapterJson(String prefix) {
        String url = TestServers.redisUrl();
        return "{\"driver\": \"redis\", \"redis\": {\"requests_timeout\": 5000, \"prefix\": \"" + prefix + "\","
                + " \"cluster_mode\": false, \"redis_pub_options\": {\"url\": \"" + url + "\"},"
                + " \"redis_sub_options\": {\"url\": \"" + url + "\"}}}";
    }
}
