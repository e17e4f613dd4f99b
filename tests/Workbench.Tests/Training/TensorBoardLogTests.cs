using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using Workbench.Training;

namespace Workbench.Tests.Training;

/// <summary>
/// A training run's TensorBoard event file, read back by a reader written here from the format's description (not
/// TorchSharp's): TFRecord framing (length, masked CRC32C of the length, an Event protobuf, masked CRC32C of the data)
/// and the scalar values, which must equal log.jsonl's.
/// </summary>
[Collection(GlobalRandomState.Name)]
public sealed class TensorBoardLogTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Crc32cOfTheStandardCheckStringIsTheKnownValue() =>
        Assert.Equal(0xE3069283u, Crc32c(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void EveryTrainingRunWritesEventsWhoseFramingChecksAndWhoseScalarsEqualTheLog()
    {
        torch.set_num_threads(1);
        var config = new TrainerConfig { Steps = 6, LearningRate = 1e-2, WarmupSteps = 1, EvalEvery = 3, CheckpointEvery = 0, Seed = 3, OutputDir = temp.Path };
        using (var trainer = new Trainer(config, () => new TeacherTask(seed: 3))) trainer.Run();

        var file = Assert.Single(Directory.GetFiles(temp.Path, "events.out.tfevents.*"));
        var events = ReadRecords(File.ReadAllBytes(file)).Select(ParseEvent).ToList();
        var scalars = events.Where(e => e.Tag is not null).ToLookup(e => e.Tag!);

        var log = MetricsLog.Read(Path.Combine(temp.Path, MetricsLog.FileName));
        Assert.Equal(6, log.Count);
        Assert.Equal(log.Select(r => r.Step), scalars["train/loss"].Select(e => e.Step));
        Assert.Equal(log.Select(r => (float)r.Loss), scalars["train/loss"].Select(e => e.Value));
        Assert.Equal(log.Select(r => (float)r.LearningRate), scalars["train/learning_rate"].Select(e => e.Value));
        Assert.Equal(log.Select(r => (float)r.Metrics["grad_norm"]), scalars["train/grad_norm"].Select(e => e.Value));
        // Held-out figures at steps 3 and 6, under eval/.
        var evaluated = log.Where(r => r.Evaluation is not null).ToList();
        Assert.Equal([3L, 6L], evaluated.Select(r => r.Step));
        foreach (var name in evaluated[0].Evaluation!.Keys)
            Assert.Equal(evaluated.Select(r => (float)r.Evaluation![name]), scalars[$"eval/{name}"].Select(e => e.Value));
    }

    [Fact]
    public void ACorruptedByteFailsTheReadersChecksum()
    {
        var config = new TrainerConfig { Steps = 1, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0, OutputDir = temp.Path };
        using (var trainer = new Trainer(config, () => new TeacherTask(seed: 1))) trainer.Run();
        var bytes = File.ReadAllBytes(Assert.Single(Directory.GetFiles(temp.Path, "events.out.tfevents.*")));
        bytes[^6] ^= 0x40;   // inside the last record's data
        Assert.Throws<InvalidDataException>(() => ReadRecords(bytes).ToList());
    }

    // ---- an independent TFRecord and Event reader ----

    /// <summary>TFRecord: uint64 length, uint32 masked CRC32C(length bytes), data, uint32 masked CRC32C(data); little-endian.</summary>
    static IEnumerable<byte[]> ReadRecords(byte[] file)
    {
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 12) throw new InvalidDataException($"torn header at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8));
            if (lengthCrc != Masked(Crc32c(file.AsSpan(at, 8)))) throw new InvalidDataException($"length checksum wrong at byte {at}");
            int start = at + 12;
            if ((ulong)(file.Length - start) < length + 4) throw new InvalidDataException($"torn record at byte {at}");
            var data = file.AsSpan(start, (int)length).ToArray();
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(start + (int)length));
            if (dataCrc != Masked(Crc32c(data))) throw new InvalidDataException($"data checksum wrong at byte {at}");
            yield return data;
            at = start + (int)length + 4;
        }
    }

    static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    /// <summary>CRC-32C (Castagnoli), bit by bit: reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF.</summary>
    static uint Crc32c(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    sealed record ScalarEvent(long Step, string? Tag, float Value);

    /// <summary>Event: 1 wall_time (double), 2 step (varint), 3 file_version (string), 5 summary { 1 value { 1 tag, 2 simple_value (float) } }.</summary>
    static ScalarEvent ParseEvent(byte[] bytes)
    {
        long step = 0;
        string? tag = null;
        float value = float.NaN;
        foreach (var (field, _, payload, varint) in Fields(bytes))
        {
            if (field == 2) step = (long)varint;
            if (field != 5) continue;
            foreach (var (summaryField, _, summaryValue, _) in Fields(payload!))
            {
                if (summaryField != 1) continue;
                foreach (var (f, _, p, _) in Fields(summaryValue!))
                {
                    if (f == 1) tag = Encoding.UTF8.GetString(p!);
                    if (f == 2) value = BinaryPrimitives.ReadSingleLittleEndian(p!);
                }
            }
        }
        return new ScalarEvent(step, tag, value);
    }

    /// <summary>Protobuf fields: (number, wire type, bytes for length-delimited and fixed fields, value for varints).</summary>
    static IEnumerable<(int Field, int Wire, byte[]? Bytes, ulong Varint)> Fields(byte[] message)
    {
        int at = 0;
        ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[at++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return result;
            }
        }
        while (at < message.Length)
        {
            ulong key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, null, Varint()); break;
                case 1: yield return (field, wire, message[at..(at += 8)], 0); break;
                case 2: int length = (int)Varint(); yield return (field, wire, message[at..(at += length)], 0); break;
                case 5: yield return (field, wire, message[at..(at += 4)], 0); break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }
}
