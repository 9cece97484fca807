"""The peer fixtures reach real services: each test round-trips real data through one."""

from __future__ import annotations

import socket
from typing import Any

import pytest


def test_postgres_db_is_a_fresh_database_on_the_real_server(postgres_db: dict[str, Any]) -> None:
    import psycopg2

    with psycopg2.connect(connect_timeout=5, **postgres_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cur.fetchone() == (postgres_db["dbname"], 0)


def test_redis_answers_ping(redis_url: str) -> None:
    with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16) == b"+PONG\r\n"


def test_rabbitmq_speaks_amqp(rabbitmq_url: str) -> None:
    with socket.create_connection(("127.0.0.1", 5672), timeout=2) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        frame = sock.recv(7)
    assert frame[0] == 1, "expected a METHOD frame (connection.start)"


def test_fakesnow_server_round_trips_through_the_snowflake_connector(fakesnow_server: dict[str, Any]) -> None:
    import snowflake.connector

    with snowflake.connector.connect(**fakesnow_server, database="DB", schema="S") as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (id NUMBER(38,0), name VARCHAR)")
        cur.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        cur.execute("SELECT id, name FROM t ORDER BY id")
        assert cur.fetchall() == [(1, "a"), (2, "b")]


def test_gcs_emulator_stores_and_serves_objects(gcs_client: Any) -> None:
    bucket = gcs_client.create_bucket("peer-bucket")
    bucket.blob("dir/object.txt").upload_from_string(b"hello")
    assert gcs_client.bucket("peer-bucket").blob("dir/object.txt").download_as_bytes() == b"hello"
    assert [b.name for b in gcs_client.list_blobs("peer-bucket")] == ["dir/object.txt"]


def test_pubsub_emulator_delivers_a_published_message(pubsub_env: str) -> None:
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path("test-project", "peer-topic")
    subscription = subscriber.subscription_path("test-project", "peer-sub")
    publisher.create_topic(name=topic)
    subscriber.create_subscription(name=subscription, topic=topic)
    publisher.publish(topic, b"payload", origin="test").result(timeout=30)
    response = subscriber.pull(subscription=subscription, max_messages=1, timeout=30)
    assert [m.message.data for m in response.received_messages] == [b"payload"]
    assert response.received_messages[0].message.attributes["origin"] == "test"


def test_httpserver_is_reached_by_a_real_client(httpserver: Any) -> None:
    import requests

    httpserver.expect_request("/ping", method="POST").respond_with_json({"ok": True})
    response = requests.post(httpserver.url_for("/ping"), json={}, timeout=5)
    assert response.json() == {"ok": True}


@pytest.mark.parametrize("state", ["success"])
def test_run_dag_runs_a_real_dag_test(run_dag: Any, state: str) -> None:
    source = """
        import pendulum
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False)
        def fixture_smoke():
            @task
            def answer() -> int:
                return 42
            answer()

        fixture_smoke()
    """
    dag_run = run_dag(source, "fixture_smoke")
    assert dag_run.state == state
    assert {ti.task_id: ti.state for ti in dag_run.get_task_instances()} == {"answer": "success"}
