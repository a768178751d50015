from pathlib import Path

from catalog.atlas.jobs import queue_render_for, render_stills
from catalog.atlas.models import Channel, Network, Still


def default_still(layer="block5", index=0) -> Still:
    channel = Channel.objects.get(layer__name=layer, index=index)
    return channel.still_for(channel.spec())


def test_a_worker_renders_a_queued_still_and_stores_it(registered, run_worker):
    still = default_still()
    queue_render_for([still])
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE and still.progress == 1.0
    assert Path(still.image.path).stat().st_size > 0
    assert still.figures["rank"] >= 1 and still.seconds > 0
    assert still.started_at <= still.finished_at


def test_a_done_still_is_never_rendered_twice(registered):
    still = default_still()
    assert render_stills([still.id]) == [still.id]
    finished = Still.objects.get(id=still.id).finished_at
    assert render_stills([still.id]) == []
    assert Still.objects.get(id=still.id).finished_at == finished


def test_many_stills_of_a_layer_render_in_one_job(registered, run_worker):
    stills = [default_still(index=i) for i in range(5)]
    assert len(queue_render_for(stills)) == 5
    assert len({Still.objects.get(id=s.id).job_id for s in stills}) == 1
    assert queue_render_for(stills) == []  # already queued: nothing added
    run_worker()
    assert set(Still.objects.values_list("status", flat=True)) == {Still.DONE}


def test_a_failed_render_is_marked_with_its_error_leaves_no_file_and_can_be_retried(
    registered, run_worker, settings
):
    Network.objects.filter(name="efficientnet-lite0").update(weights="/nonexistent/lite0.pth")
    still = default_still()
    queue_render_for([still])
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.FAILED
    assert "lite0.pth" in still.error
    assert not still.image
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.png"))
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.part"))

    Network.objects.filter(name="efficientnet-lite0").update(weights="")
    assert still.reset_for_retry()
    queue_render_for([still])
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.DONE and still.error == ""


def test_a_job_killed_by_its_timeout_marks_its_stills_failed(registered, run_worker, settings):
    settings.RQ_QUEUES["render"]["DEFAULT_TIMEOUT"] = 1
    channel = Channel.objects.get(layer__name="head", index=0)
    still = channel.still_for(channel.spec(size=96, steps=5000))
    queue_render_for([still])
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.FAILED
    assert "JobTimeoutException" in still.error


def test_a_rendered_still_stores_the_networks_own_top_classes_and_puppyslug_index(registered):
    still = default_still()
    render_stills([still.id])
    still.refresh_from_db()
    assert len(still.top_classes) == 5
    probabilities = [top["probability"] for top in still.top_classes]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1
    assert 0.0 <= still.puppyslug_index <= 1.0
    assert still.status_dict()["classes"][0][0] == still.top_classes[0]["label"]


def test_a_job_skips_stills_that_were_cancelled_after_it_was_queued(registered, run_worker):
    stills = [default_still(index=i) for i in range(3)]
    queue_render_for(stills)
    Still.objects.filter(id=stills[1].id).update(status=Still.CANCELLED)
    run_worker()
    statuses = [Still.objects.get(id=s.id).status for s in stills]
    assert statuses == [Still.DONE, Still.CANCELLED, Still.DONE]


def test_a_failed_render_keeps_its_traceback_for_staff_not_for_the_public(
    registered, client, run_worker
):
    Network.objects.filter(name="efficientnet-lite0").update(weights="/nonexistent/lite0.pth")
    still = default_still()
    queue_render_for([still])
    run_worker()
    still.refresh_from_db()
    assert still.status == Still.FAILED and "Traceback" in still.error_detail
    public = client.get(f"/stills/{still.id}/status.json").json()
    assert "lite0.pth" in public["error"]
    assert "Traceback" not in str(public) and 'File "' not in str(public)
