//! Image-reference facts used to tell a real image from a mistyped stage.

/// Docker Hub official images (library/…), as listed on hub.docker.com in
/// 2026: a bare name from this list is a real image, never a typo.
const OFFICIAL_IMAGES: &[&str] = &[
    "adminer",
    "aerospike",
    "almalinux",
    "alpine",
    "alt",
    "amazoncorretto",
    "amazonlinux",
    "api-firewall",
    "arangodb",
    "archlinux",
    "backdrop",
    "bash",
    "bonita",
    "buildpack-deps",
    "busybox",
    "caddy",
    "cassandra",
    "centos",
    "chronograf",
    "cirros",
    "clearlinux",
    "clefos",
    "clickhouse",
    "clojure",
    "composer",
    "couchbase",
    "couchdb",
    "crate",
    "dart",
    "debian",
    "docker",
    "drupal",
    "eclipse-mosquitto",
    "eclipse-temurin",
    "eggdrop",
    "elasticsearch",
    "elixir",
    "emqx",
    "erlang",
    "fedora",
    "flink",
    "fluentd",
    "friendica",
    "gazebo",
    "gcc",
    "geonetwork",
    "ghost",
    "golang",
    "gradle",
    "groovy",
    "haproxy",
    "haskell",
    "haxe",
    "hello-world",
    "hitch",
    "httpd",
    "hylang",
    "ibm-semeru-runtimes",
    "ibmjava",
    "influxdb",
    "irssi",
    "jetty",
    "joomla",
    "jruby",
    "julia",
    "kapacitor",
    "kibana",
    "kong",
    "krakend",
    "lightstreamer",
    "liquibase",
    "logstash",
    "mageia",
    "mariadb",
    "matomo",
    "maven",
    "mediawiki",
    "memcached",
    "mongo",
    "mongo-express",
    "monica",
    "mono",
    "mysql",
    "nats",
    "neo4j",
    "neurodebian",
    "nextcloud",
    "nginx",
    "node",
    "notary",
    "odoo",
    "open-liberty",
    "openjdk",
    "oraclelinux",
    "orientdb",
    "percona",
    "perl",
    "photon",
    "php",
    "php-zendserver",
    "phpmyadmin",
    "plone",
    "postfixadmin",
    "postgres",
    "pypy",
    "python",
    "r-base",
    "rabbitmq",
    "rakudo-star",
    "redis",
    "redmine",
    "registry",
    "rethinkdb",
    "rocket.chat",
    "rockylinux",
    "ros",
    "ruby",
    "rust",
    "sapmachine",
    "satosa",
    "scratch",
    "silverpeas",
    "solr",
    "sonarqube",
    "spiped",
    "storm",
    "swift",
    "swipl",
    "teamspeak",
    "telegraf",
    "tomcat",
    "tomee",
    "traefik",
    "ubuntu",
    "unit",
    "varnish",
    "vault",
    "websphere-liberty",
    "wordpress",
    "xwiki",
    "yourls",
    "znc",
    "zookeeper",
];

/// Every official image name, sorted (for completion).
pub fn official_images() -> &'static [&'static str] {
    OFFICIAL_IMAGES
}

pub fn is_official_image(name: &str) -> bool {
    OFFICIAL_IMAGES.binary_search(&name).is_ok()
}

/// Whether a value names an image beyond doubt: it has a tag, a digest, a
/// registry or a namespace, or is an official image.
pub fn is_clearly_an_image(value: &str) -> bool {
    value.contains(['/', ':', '@']) || is_official_image(value)
}

/// The full reference BuildKit pulls for a name: `alpine` becomes
/// `docker.io/library/alpine:latest`.
pub fn pulled_reference(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let (path, tagged) = match lower.rsplit_once('/') {
        Some((_, last)) => (lower.clone(), last.contains([':', '@'])),
        None => (lower.clone(), lower.contains([':', '@'])),
    };
    let first = path.split('/').next().unwrap_or_default();
    let has_registry = path.contains('/') && (first.contains(['.', ':']) || first == "localhost");
    let mut full = if has_registry {
        path
    } else if path.contains('/') {
        format!("docker.io/{path}")
    } else {
        format!("docker.io/library/{path}")
    };
    if !tagged {
        full.push_str(":latest");
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(OFFICIAL_IMAGES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn references_are_normalised_as_docker_pulls_them() {
        assert_eq!(
            pulled_reference("buidler"),
            "docker.io/library/buidler:latest"
        );
        assert_eq!(
            pulled_reference("nginx:1.27"),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(pulled_reference("me/app"), "docker.io/me/app:latest");
        assert_eq!(pulled_reference("ghcr.io/x/y"), "ghcr.io/x/y:latest");
        assert_eq!(
            pulled_reference("localhost:5000/app:1"),
            "localhost:5000/app:1"
        );
    }
}
