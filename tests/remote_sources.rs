//! Remote sources end to end: a real S3-compatible server (moto, from the venv of
//! `scripts/conformance-env`), the Azure Storage emulator (Azurite, from `scripts/azurite-env`)
//! and a small HTTP server on loopback, started by the tests. A remote object, a glob over
//! several objects, and compressed data must give the same check result as the same data read
//! locally; a missing object, wrong credentials and a connection dropped midway must give a
//! clear error (exit 3), never a wrong result.

mod support;

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use support::{Run, binary, repo_root};

const RULES: &str = "examples/orders.rules.yaml";
const ACCESS_KEY: &str = "testing";
const SECRET_KEY: &str = "testing";

/// Runs `check SOURCE --rules RULES` with `environment` (and no ambient AWS settings).
fn check(source: &str, environment: &[(&str, &str)]) -> Run {
    truthound(&["check", source, "--rules", RULES], environment)
}

/// Runs the binary with `args` and `environment` (and no ambient cloud settings).
fn truthound(args: &[&str], environment: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(repo_root());
    let ambient = |name: &str| ["AWS_", "AZURE_", "AZURITE_"].iter().any(|prefix| name.starts_with(prefix));
    for (name, _) in std::env::vars().filter(|(name, _)| ambient(name)) {
        command.env_remove(name);
    }
    command.envs(environment.iter().copied());
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// What a check found, without what differs between runs (times, the source's name).
fn verdict(run: &Run) -> Value {
    let mut outputs = run.outputs();
    strip_run_details(&mut outputs);
    outputs["result"].clone()
}

fn strip_run_details(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| {
                !["timestamp", "execution_time", "duration", "source", "data_source", "uri", "run_time"]
                    .contains(&key.as_str())
                    && !key.contains("time")
            });
            map.values_mut().for_each(strip_run_details);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_run_details),
        _ => {}
    }
}

/// The local result every remote read of `orders.csv` must reproduce.
fn local_verdict(path: &str) -> Value {
    let run = check(path, &[]);
    run.expect_code(0);
    verdict(&run)
}

/// The example orders as Parquet, plus its rows split into several CSV parts.
fn example_files(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let csv = std::fs::read_to_string(repo_root().join("examples/orders.csv")).unwrap();
    let (header, rows) = csv.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    let parts: Vec<PathBuf> = rows
        .chunks(rows.len().div_ceil(3))
        .enumerate()
        .map(|(i, chunk)| {
            let path = dir.join(format!("part-{i}.csv"));
            std::fs::write(&path, format!("{header}\n{}\n", chunk.join("\n"))).unwrap();
            path
        })
        .collect();
    let parquet = dir.join("orders.parquet");
    let batch = arrow_csv::ReaderBuilder::new(Arc::new(
        arrow_csv::reader::Format::default()
            .with_header(true)
            .infer_schema(std::io::Cursor::new(csv.as_bytes()), None)
            .unwrap()
            .0,
    ))
    .with_header(true)
    .with_batch_size(100_000)
    .build(std::io::Cursor::new(csv.into_bytes()))
    .unwrap()
    .next()
    .unwrap()
    .unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&parquet).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    (parquet, parts)
}

/// A gzip copy of `path` in `dir`, named like it plus `.gz`.
fn gzip(path: &Path, dir: &Path) -> PathBuf {
    let compressed = dir.join(format!("{}.gz", path.file_name().unwrap().to_str().unwrap()));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(path).unwrap()).unwrap();
    std::fs::write(&compressed, encoder.finish().unwrap()).unwrap();
    compressed
}

/// The example orders as the objects of a bucket (files written to `dir`): Parquet, CSV and gzip
/// CSV copies, and its rows split into CSV parts under `events/`.
fn example_objects(dir: &Path) -> Vec<(String, PathBuf)> {
    let (parquet, parts) = example_files(dir);
    let csv = repo_root().join("examples/orders.csv");
    let compressed = gzip(&csv, dir);
    let mut objects =
        vec![("orders.parquet".into(), parquet), ("orders.csv".into(), csv), ("orders.csv.gz".into(), compressed)];
    objects.extend(parts.into_iter().map(|p| (format!("events/{}", p.file_name().unwrap().to_str().unwrap()), p)));
    objects
}

/// Checks each of `sources` with `environment`: every one passes with the `expected` verdict.
fn assert_local_results(sources: &[&str], environment: &[(&str, &str)], expected: &Value) {
    for source in sources {
        let run = check(source, environment);
        run.expect_code(0);
        assert_eq!(&verdict(&run), expected, "{source}");
    }
}

// ---------------------------------------------------------------- a small HTTP server

/// An HTTP/1.1 file server on loopback: GET (with `Range`), HEAD, 404; paths under `/drop/`
/// announce their full length but close the connection halfway through the body.
struct HttpServer {
    port: u16,
}

impl HttpServer {
    fn start(files: HashMap<String, Vec<u8>>) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let files = Arc::new(files);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let files = files.clone();
                std::thread::spawn(move || serve(stream, &files));
            }
        });
        HttpServer { port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

fn serve(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
            let (start, end) = value.trim().split_once('-').unwrap();
            range = Some((start.parse::<usize>().unwrap(), end.parse::<usize>().ok()));
        }
    }
    let mut parts = request.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let name = path.trim_start_matches('/');
    let Some(body) = files.get(name.strip_prefix("drop/").unwrap_or(name)) else {
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    };
    let (status, slice, content_range) = match range {
        Some((start, end)) => {
            let end = end.map_or(body.len() - 1, |e| e.min(body.len() - 1));
            (
                "206 Partial Content",
                &body[start..=end],
                format!("content-range: bytes {start}-{end}/{}\r\n", body.len()),
            )
        }
        None => ("200 OK", &body[..], String::new()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{content_range}accept-ranges: bytes\r\nconnection: close\r\n\r\n",
        slice.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method == "HEAD" {
        return;
    }
    let sent = if name.starts_with("drop/") { &slice[..slice.len() / 2] } else { slice };
    let _ = stream.write_all(sent);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

// ---------------------------------------------------------------- moto's S3 server

/// The moto venv of `scripts/conformance-env`.
fn moto_venv() -> PathBuf {
    let venv = cache_dir().join("conformance/moto");
    assert!(
        venv.join("bin/moto_server").is_file(),
        "{} is missing: run scripts/conformance-env (scripts/test does) to create the moto environment",
        venv.display()
    );
    venv
}

/// A server process listening on a free loopback port, stopped when dropped: moto's S3 server
/// or Azurite's blob service.
struct LoopbackServer {
    endpoint: String,
    process: Child,
    /// The environment that points the binary at this server.
    environment: Vec<(&'static str, String)>,
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl LoopbackServer {
    /// Starts `program` with `arguments(port)` and `environment` on a free port and waits until
    /// it listens; `client_environment(endpoint)` is what the binary needs to reach it.
    fn start(
        program: &Path,
        arguments: impl FnOnce(&str) -> Vec<String>,
        environment: &[(&str, &str)],
        client_environment: impl FnOnce(&str) -> Vec<(&'static str, String)>,
    ) -> LoopbackServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new(program)
            .args(arguments(&port.to_string()))
            .envs(environment.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", program.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let environment = client_environment(&endpoint);
        let server = LoopbackServer { endpoint, process, environment };
        for _ in 0..300 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{} did not start listening on port {port}", program.display());
    }

    /// Runs `script` in the moto venv's Python with the endpoint, `bucket` and the (key, local
    /// file) pairs of `objects`: it creates the bucket and uploads them.
    fn upload(&self, script: &str, bucket: &str, objects: &[(String, PathBuf)]) {
        let mut command = Command::new(moto_venv().join("bin/python"));
        command.args(["-c", script, &self.endpoint, bucket]);
        for (key, path) in objects {
            command.arg(key).arg(path);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "upload failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// Creates a bucket (argv[2]) on the S3 server at argv[1] and uploads objects (key, path pairs).
const S3_UPLOAD: &str = "import boto3, sys\n\
    s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='testing', \
    aws_secret_access_key='testing', region_name='us-east-1')\n\
    s3.create_bucket(Bucket=sys.argv[2])\n\
    for key, path in zip(sys.argv[3::2], sys.argv[4::2]):\n    s3.upload_file(path, sys.argv[2], key)\n";

/// moto's S3 server, with `environment`.
fn s3_server(environment: &[(&str, &str)]) -> LoopbackServer {
    let arguments = |port: &str| vec!["-H".into(), "127.0.0.1".into(), "-p".into(), port.into()];
    LoopbackServer::start(&moto_venv().join("bin/moto_server"), arguments, environment, |endpoint| {
        vec![
            ("AWS_ENDPOINT_URL", endpoint.into()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    })
}

// ---------------------------------------------------------------- Azurite's blob service

/// The cache directory of the test environments (`TRUTHOUND_CACHE`, as the scripts use it).
fn cache_dir() -> PathBuf {
    match std::env::var_os("TRUTHOUND_CACHE") {
        Some(cache) => PathBuf::from(cache),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/truthound-kestra"),
    }
}

/// Azurite's blob service, in memory. Its one account, `devstoreaccount1`, and key are the
/// emulator's well-known ones, which object_store uses with `AZURE_STORAGE_USE_EMULATOR=true`.
fn blob_server() -> LoopbackServer {
    let azurite = cache_dir().join("azurite/node_modules/.bin/azurite-blob");
    assert!(azurite.is_file(), "{} is missing: run scripts/azurite-env (scripts/test does)", azurite.display());
    let arguments = |port: &str| {
        ["--blobHost", "127.0.0.1", "--blobPort", port, "--inMemoryPersistence", "--silent"].map(String::from).to_vec()
    };
    LoopbackServer::start(&azurite, arguments, &[], |endpoint| {
        vec![("AZURE_STORAGE_USE_EMULATOR", "true".into()), ("AZURITE_BLOB_STORAGE_URL", endpoint.into())]
    })
}

/// Creates a container (argv[2]) and uploads blobs (name, local path pairs) to the emulator at
/// argv[1], signing each request with the emulator's account key (Shared Key authorization).
const AZURE_UPLOAD: &str = r#"
import base64, hashlib, hmac, sys, urllib.request
from email.utils import formatdate
endpoint, container = sys.argv[1], sys.argv[2]
account = "devstoreaccount1"
key = base64.b64decode("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
def put(path, query, body, headers):
    headers = dict(headers, **{"Content-Type": "application/octet-stream", "x-ms-date": formatdate(usegmt=True), "x-ms-version": "2021-08-06"})
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()) if k.startswith("x-ms-"))
    resource = f"/{account}/{account}/{path}" + "".join(f"\n{k}:{v}" for k, v in sorted(query.items()))
    fields = ["PUT", "", "", str(len(body)) if body else "", "", headers["Content-Type"], "", "", "", "", "", ""]
    to_sign = "\n".join(fields) + "\n" + canonical_headers + resource
    signature = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
    url = f"{endpoint}/{account}/{path}" + "".join(f"?{k}={v}" for k, v in query.items())
    headers["Authorization"] = f"SharedKey {account}:{signature}"
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="PUT", headers=headers)).read()
put(container, {"restype": "container"}, b"", {})
for name, path in zip(sys.argv[3::2], sys.argv[4::2]):
    put(f"{container}/{name}", {}, open(path, "rb").read(), {"x-ms-blob-type": "BlockBlob"})
"#;

fn with<'a>(environment: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    environment.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

// ---------------------------------------------------------------- the cases

#[test]
fn s3_objects_globs_and_compressed_data_give_the_local_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = example_objects(dir.path());
    let csv = repo_root().join("examples/orders.csv");
    let expected = local_verdict(csv.to_str().unwrap());
    for (local, what) in
        [("orders.parquet", "the Parquet copy holds the same data"), ("orders.csv.gz", "local gzip CSV")]
    {
        assert_eq!(local_verdict(dir.path().join(local).to_str().unwrap()), expected, "{what}");
    }
    let local_glob = format!("{}/part-*.csv", dir.path().display());
    assert_eq!(local_verdict(&local_glob), expected, "local glob");

    let server = s3_server(&[]);
    objects.push(("events/_SUCCESS".into(), csv));
    let parquet = dir.path().join("orders.parquet");
    objects.extend(["pq/a.parquet", "pq/b.parquet"].map(|key| (key.to_string(), parquet.clone())));
    server.upload(S3_UPLOAD, "data", &objects);
    let environment = server.environment.clone();
    let sources = [
        "s3://data/orders.parquet",
        "s3://data/orders.csv",
        "s3://data/orders.csv.gz",
        "s3://data/events/part-*.csv",
        "s3://data/events/",
    ];
    assert_local_results(&sources, &with(&environment), &expected);

    let missing = check("s3://data/nope.parquet", &with(&environment));
    missing.expect_code(3);
    assert!(missing.stdout.contains("s3://data/nope.parquet: no such object"), "{}", missing.stdout);
    let no_match = check("s3://data/events/none-*.csv", &with(&environment));
    no_match.expect_code(3);
    assert!(no_match.stdout.contains("s3://data/events/none-*.csv: no data files match"), "{}", no_match.stdout);

    // `--parallel` reads a data set of Parquet objects as ranges of whole objects, one instance
    // each, and merges them in order: the same result as one reader.
    let rules = dir.path().join("ranges.yaml");
    let order_rules = "- {type: increasing, column: order_id}\n- {type: in_range, column: amount, min: 0}\n";
    std::fs::write(&rules, order_rules).unwrap();
    let ranged = |mode: &str| {
        let run = truthound(
            &["check", "s3://data/pq/*.parquet", "--rules", rules.to_str().unwrap(), mode],
            &with(&environment),
        );
        run.expect_code(1);
        verdict(&run)
    };
    let (single, parallel) = (ranged("--no-parallel"), ranged("--parallel"));
    assert_eq!(parallel, single);
    assert_eq!(single["total_rows"], 2000);
    let rows = single["rule_results"][0]["samples"].as_array().unwrap().iter().map(|s| s["row"].clone());
    assert!(rows.collect::<Vec<_>>().contains(&serde_json::json!(1000)), "the order break where b.parquet starts");

    // A fan-out flow lists its partitions with `partitions`: the data objects, sorted.
    let parts: Vec<&String> = objects.iter().map(|(key, _)| key).filter(|key| key.contains("/part-")).collect();
    assert!(parts.len() > 1);
    let mut expected: Vec<String> = parts.iter().map(|key| format!("s3://data/{key}")).collect();
    expected.sort();
    for listed in ["s3://data/events/", "s3://data/events/part-*.csv"] {
        let run = truthound(&["partitions", listed], &with(&environment));
        run.expect_code(0);
        assert_eq!(run.outputs()["partitions"], serde_json::json!(expected), "{listed}");
        assert_eq!(run.outputs()["root"], "s3://data/events", "{listed}");
    }
    let one = truthound(&["partitions", "s3://data/orders.parquet"], &with(&environment));
    assert_eq!(one.outputs()["partitions"], serde_json::json!(["s3://data/orders.parquet"]));
    let missing = truthound(&["partitions", "s3://data/nope.parquet"], &with(&environment));
    missing.expect_code(3);
    assert!(missing.stdout.contains("s3://data/nope.parquet: no such object"), "{}", missing.stdout);
}

#[test]
fn wrong_credentials_are_a_clear_error() {
    // With INITIAL_NO_AUTH_ACTION_COUNT=0 moto checks signatures against its IAM users like S3
    // does, so the bucket is made with the root credentials it knows and read with a wrong key.
    let server = s3_server(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let mut environment = server.environment.clone();
    environment.retain(|(name, _)| *name != "AWS_ACCESS_KEY_ID");
    environment.push(("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0".into()));
    let run = check("s3://data/orders.csv", &with(&environment));
    run.expect_code(3);
    assert!(run.stdout.contains("s3://data/orders.csv: access denied; check the credentials"), "{}", run.stdout);
}

#[test]
fn azure_blobs_globs_and_compressed_data_give_the_local_result() {
    let dir = tempfile::tempdir().unwrap();
    let expected = local_verdict(repo_root().join("examples/orders.csv").to_str().unwrap());
    let server = blob_server();
    server.upload(AZURE_UPLOAD, "data", &example_objects(dir.path()));
    let environment = server.environment.clone();
    let sources =
        ["az://data/orders.parquet", "az://data/orders.csv", "az://data/orders.csv.gz", "az://data/events/part-*.csv"];
    assert_local_results(&sources, &with(&environment), &expected);

    let missing = check("az://data/nope.parquet", &with(&environment));
    missing.expect_code(3);
    assert!(missing.stdout.contains("az://data/nope.parquet: no such object"), "{}", missing.stdout);
    let mut wrong_key = environment.clone();
    wrong_key.push(("AZURE_STORAGE_ACCOUNT_KEY", "d3Jvbmd3cm9uZ3dyb25nd3Jvbmc=".into()));
    let denied = check("az://data/orders.csv", &with(&wrong_key));
    denied.expect_code(3);
    assert!(denied.stdout.contains("az://data/orders.csv: access denied; check the credentials"), "{}", denied.stdout);
}

#[test]
fn http_objects_give_the_local_result_and_a_dropped_connection_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let expected = local_verdict(repo_root().join("examples/orders.csv").to_str().unwrap());
    // Plain HTTP serves single objects, so the parts under events/ are left out.
    let files: HashMap<String, Vec<u8>> = example_objects(dir.path())
        .into_iter()
        .filter(|(name, _)| !name.starts_with("events/"))
        .map(|(name, path)| (name, std::fs::read(path).unwrap()))
        .collect();
    let server = HttpServer::start(files);
    let urls = ["orders.parquet", "orders.csv", "orders.csv.gz"].map(|name| server.url(name));
    assert_local_results(&urls.each_ref().map(String::as_str), &[], &expected);
    let missing = check(&server.url("nope.csv"), &[]);
    missing.expect_code(3);
    assert!(missing.stdout.contains(&format!("{}: no such object", server.url("nope.csv"))), "{}", missing.stdout);
    for name in ["drop/orders.csv", "drop/orders.parquet"] {
        let dropped = check(&server.url(name), &[]);
        dropped.expect_code(3);
        assert!(dropped.stdout.contains(&server.url(name)), "{name}: {}", dropped.stdout);
    }
}

#[test]
fn an_unreachable_store_is_a_clear_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let uri = format!("http://127.0.0.1:{port}/orders.csv");
    let run = check(&uri, &[]);
    run.expect_code(3);
    assert!(run.stdout.contains(&uri), "{}", run.stdout);
}
