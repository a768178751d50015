"""A network that sees time: motion labels, training on clips, moving images of channels."""

import numpy as np
import pytest
import torch

import renderer
from renderer.errors import SpecError, WeightsUnavailable
from renderer.temporal.camera import (
    CAMERA_MOVES,
    HELD_OUT,
    camera_clips,
    photograph,
    training_photographs,
)
from renderer.temporal.motion import MOTION_LABELS, estimate_motion, motion_label
from renderer.temporal.moving import render_clips, temporal_basis, write_clip
from renderer.temporal.training import (
    TEMPORAL_DEFAULTS,
    Clip,
    check_clips,
    clip_evaluation_batch,
    clip_tensor,
    train_clips,
)
from renderer.training import TrainingOptions, accuracy, confusion_matrix, predict

SIDE = 48  # the network's input
STEPS = 48


@pytest.fixture(scope="session")
def camera_network(tmp_path_factory):
    """A temporal network trained on pan and zoom clips of 14 photographs (about 20 s)."""
    clips = camera_clips(training_photographs(), per_move=4, side=round(SIDE * 1.15))
    weights = tmp_path_factory.mktemp("temporal") / "camera.pt"
    options = TrainingOptions(**{**TEMPORAL_DEFAULTS, "epochs": 15}, input_size=SIDE)
    result = train_clips(clips, weights, options, frames=8)
    network = renderer.load_network("camera", weights=str(weights), arch="temporal", device="cpu")
    return network, result


@pytest.fixture(scope="session")
def class_clips(camera_network):
    """The moving image of each class channel, rendered in one batch."""
    network, _ = camera_network
    specs = [
        renderer.RenderSpec("camera", "logits", c, size=SIDE, steps=STEPS, seed=c)
        for c in range(len(network.labels))
    ]
    return render_clips(network, specs)


def held_out_clips(per_move=3):
    """Clips of photographs the network never saw, from other places."""
    return camera_clips(HELD_OUT, per_move=per_move, side=round(SIDE * 1.15), seed=9)


def test_the_motion_estimator_labels_camera_moves_it_was_not_tuned_on():
    names = ["astronaut", "coffee", "rocket", "coins", "clock", "cat", "hubble_deep_field"]
    clips = camera_clips(names, moves=MOTION_LABELS, per_move=1, frames=6, side=80, seed=4)
    found = [motion_label(clip.frames) for clip in clips]
    right = sum(label == clip.label for label, clip in zip(found, clips, strict=True))
    assert right / len(clips) >= 0.95, list(zip(found, [c.label for c in clips], strict=True))


def test_motion_is_measured_in_the_cameras_direction():
    frames = camera_clips(["astronaut"], moves=["pan right"], per_move=1, side=80)[0].frames
    motion = estimate_motion(frames)
    assert motion.dx < -0.01 and abs(motion.dy) < 0.003  # the picture moves left
    zoom = estimate_motion(
        camera_clips(["astronaut"], moves=["zoom in"], per_move=1, side=80)[0].frames
    )
    assert zoom.zoom > 0.01 and zoom.label == "zoom in"


def test_a_network_trained_on_pan_and_zoom_clips_beats_chance_on_held_out_photographs(
    camera_network,
):
    network, result = camera_network
    assert result.classes == sorted(CAMERA_MOVES)
    assert [layer.kind for layer in network.layers] == ["clip", "clip", "logits"]
    clips = held_out_clips()
    batch = clip_evaluation_batch([clip_tensor(c.frames, SIDE) for c in clips], SIDE)
    targets = torch.tensor([result.classes.index(c.label) for c in clips])
    predictions = predict(network, batch)
    held = accuracy(predictions, targets)
    matrix = confusion_matrix(targets, predictions, len(result.classes))
    assert held >= 0.6, (held, matrix)  # chance: 0.25
    assert result.val_accuracy >= 0.6


def test_a_class_channels_moving_image_ranks_its_channel_first_and_moves(
    camera_network, class_clips
):
    network, _ = camera_network
    for channel, clip in enumerate(class_clips):
        assert clip.figures["rank"] == 1, (network.labels[channel], clip.figures)
        assert clip.figures["top_classes"][0][0] == network.labels[channel]
        frames = np.stack([np.asarray(frame, dtype=np.float32) for frame in clip.clip]) / 255
        assert len(frames) == 8 and clip.image.size == (SIDE, SIDE)
        steps = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
        assert steps.min() > 0.003, steps  # every frame differs from the one before
        assert clip.figures["motion"] == pytest.approx(steps.mean(), abs=0.002)


def test_played_backwards_a_direction_selective_moving_image_excites_its_channel_less(
    camera_network, class_clips
):
    network, _ = camera_network
    for name in ("pan left", "pan right"):
        figures = class_clips[network.labels.index(name)].figures
        assert figures["objective_backwards"] < figures["objective"] - 1.0, (name, figures)


def test_channels_of_a_temporal_layer_get_moving_images(camera_network):
    network, _ = camera_network
    specs = [renderer.RenderSpec("camera", "temporal1", c, size=SIDE, steps=STEPS) for c in (0, 2)]
    results = renderer.render_batch(network, specs)
    assert [r.figures["rank"] for r in results] == [1, 1]
    assert all(len(r.clip) == 8 and r.figures["motion"] > 0.002 for r in results)


def test_a_moving_image_is_written_as_an_h264_mp4(class_clips, tmp_path):
    import av

    path = tmp_path / "clip.mp4"
    write_clip(class_clips[0].clip, path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = list(container.decode(stream))
        assert stream.codec_context.name == "h264" and len(decoded) == 8
    assert not list(tmp_path.glob(".*part"))


def test_the_checkpoint_loads_to_the_same_network(camera_network, tmp_path):
    network, result = camera_network
    again = renderer.load_network("again", weights=result.weights, arch="temporal", device="cpu")
    clips = torch.rand(2, 3, 8, SIDE, SIDE)
    assert torch.allclose(
        again.model(again.preprocess(clips)), network.model(network.preprocess(clips))
    )
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsUnavailable, match="not a temporal-network file"):
        renderer.load_network("bad", weights=str(tmp_path / "bad.pt"), arch="temporal")


def test_bad_clips_and_specs_are_refused_by_name(camera_network):
    photo = photograph("astronaut")
    assert photo.size == (512, 512)
    short = Clip(np.zeros((5, 32, 32, 3), np.uint8), "pan left", "short.mp4")
    with pytest.raises(SpecError, match="not 8 frames long"):
        check_clips([short], 8)
    alike = [Clip(np.zeros((8, 32, 32, 3), np.uint8), "still", f"{i}.mp4") for i in range(4)]
    with pytest.raises(SpecError, match="at least 2 classes"):
        check_clips(alike, 8)
    network, _ = camera_network
    with pytest.raises(SpecError) as error:
        render_clips(network, [renderer.RenderSpec("camera", "logits", 0, style="cppn")])
    assert error.value.field == "style"
    with pytest.raises(SpecError) as error:
        render_clips(network, [renderer.RenderSpec("camera", "logits", 9)])
    assert error.value.field == "channel"


def test_the_time_basis_is_smooth():
    basis = temporal_basis(8)
    assert basis.shape == (8, 4) and torch.allclose(basis[:, 0], torch.ones(8))
    assert (basis[1:] - basis[:-1]).abs().max() < 0.35  # no basis function flickers


def test_a_temporal_networks_film_holds_and_montages_its_moving_images(camera_network, tmp_path):
    from renderer.cinema import render_film
    from renderer.cinema.spec import FilmSpecError
    from tests.renderer.cinema_helpers import decode

    network, _ = camera_network
    spec = {
        "network": "camera", "size": [192, 48], "fps": 8, "first_steps": 32, "steps": 4,
        "shots": [
            {"kind": "hold", "layer": "logits", "channel": 0, "seconds": 2},
            {"kind": "montage", "layer": "logits", "channels": [0, 1, 2, 3], "seconds": 1},
        ],
    }  # fmt: skip
    report = render_film(network, spec, tmp_path / "film.mp4", tmp_path / "cache")
    frames = decode(tmp_path / "film.mp4")
    assert report["frames"] == len(frames) == 24 and frames[0].shape == (48, 192, 3)
    hold = [f[:, 72:120].astype(np.float32) / 255 for f in frames[:16]]
    steps = [np.abs(b - a).mean() for a, b in zip(hold[:7], hold[1:8], strict=True)]
    assert min(steps) > 0.002  # the hold plays a moving image
    assert np.abs(hold[0] - hold[8]).mean() < 0.02  # and loops it
    assert frames[0][:, :60].max() < 20  # black beside the square
    montage = frames[16]
    panels = [montage[:, i * 48 : (i + 1) * 48].astype(np.float32) for i in range(4)]
    assert min(np.abs(a - b).mean() for a in panels for b in panels if a is not b) > 5
    again = render_film(network, spec, tmp_path / "again.mp4", tmp_path / "cache")
    assert again["cached"] == 24 and again["rendered"] == 0

    zoom = {**spec, "shots": [{"kind": "zoom", "layer": "logits", "channel": 0, "seconds": 1}]}
    with pytest.raises(FilmSpecError, match="sees time"):
        render_film(network, zoom, tmp_path / "zoom.mp4", tmp_path / "cache")
