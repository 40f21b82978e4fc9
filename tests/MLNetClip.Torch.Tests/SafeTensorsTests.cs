using System.Text;
using MLNetClip.Torch;

namespace MLNetClip.Torch.Tests;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripsEveryDtypeAndMetadata()
    {
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var f32 = Tensor.FromArray(new[] { 1.5f, -2f, 3.25f, 0f, 1e-7f, -1e30f }, 2, 3);
            using var f64 = Tensor.FromArray(new[] { Math.PI, -Math.E });
            using var i64 = Tensor.FromArray(new[] { long.MinValue, 0L, long.MaxValue });
            using var bf16 = f32.To(ScalarType.BFloat16);
            using var f16 = f32.To(ScalarType.Float16);
            using var empty = Tensor.Zeros([0, 4]);
            using var scalar = Tensor.Scalar(7);
            var tensors = new Dictionary<string, Tensor>
            {
                ["a.f32"] = f32, ["b.f64"] = f64, ["c.i64"] = i64, ["d.bf16"] = bf16, ["e.f16"] = f16, ["f.empty"] = empty, ["g.scalar"] = scalar,
            };
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });

            // The header is 8-byte aligned and the data section exactly tiles the file.
            var raw = File.ReadAllBytes(path);
            Assert.Equal(0UL, BitConverter.ToUInt64(raw, 0) % 8);

            using var loaded = SafeTensors.Load(path);
            Assert.Equal("ünïcode", loaded.Metadata["note"]);
            Assert.Equal(tensors.Keys.Order(), loaded.Tensors.Keys.Order());
            foreach (var (name, t) in tensors)
            {
                Assert.Equal(t.DType, loaded[name].DType);
                Assert.Equal(t.Shape, loaded[name].Shape);
                Assert.Equal(t.ToBytes(), loaded[name].ToBytes());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadsEveryTensorOfTheHfFixtureWithTheDocumentedShapesAndValues()
    {
        using var io = SafeTensors.Load(SharedPaths.Fixture("hf_clip_tiny_a", "io.safetensors"));
        Assert.Equal("511", io.Metadata["eos_token_id"]);
        Assert.Equal(new long[] { 3, 16 }, io["input_ids"].Shape);
        Assert.Equal(ScalarType.Int64, io["input_ids"].DType);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, io["pixel_values"].Shape);
        Assert.Equal(new long[] { 3, 17, 64 }, io["vision_last_hidden_state"].Shape);
        Assert.Equal(new long[] { 3, 16, 48 }, io["text_last_hidden_state"].Shape);
        Assert.Equal(new long[] { 3, 32 }, io["image_embeds"].Shape);
        Assert.Equal(1.1400087, io["loss"].Item(), 6);

        var ids = io["input_ids"].ToArray<long>();
        for (var row = 0; row < 3; row++) Assert.Equal(510, ids[row * 16]);

        // Values decode correctly: the embeddings are unit vectors and the logits are exp(2.3)·cosine.
        var img = io["image_embeds"].ToArray<float>();
        var txt = io["text_embeds"].ToArray<float>();
        var logits = io["logits_per_image"].ToArray<float>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1.0, Math.Sqrt(img.Skip(i * 32).Take(32).Sum(v => (double)v * v)), 5);
            for (var j = 0; j < 3; j++)
            {
                var dot = Enumerable.Range(0, 32).Sum(k => (double)img[i * 32 + k] * txt[j * 32 + k]);
                Assert.Equal(Math.Exp(2.3) * dot, logits[i * 3 + j], 4);
            }
        }

        var model = SafeTensors.ReadHeader(SharedPaths.Fixture("hf_clip_tiny_a", "model.safetensors"));
        Assert.Contains(model.Entries, e => e.Name == "logit_scale");
        foreach (var e in io.Tensors.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)))
        {
            // Gradients have their parameter's element count; a scalar parameter (logit_scale,
            // shape []) has its gradient stored as [1].
            var param = model.Entries.Single(m => m.Name == e["grad.".Length..]);
            Assert.Equal(param.Shape.Aggregate(1L, (x, y) => x * y), io[e].NumberOfElements);
        }
    }

    [Fact]
    public void HeaderProblemsAreNamedPrecisely()
    {
        Assert.Contains("overlaps", Reject(Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Contains("belong to no tensor", Reject(Header("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Contains("needs 8 bytes", Reject(Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4)));
        Assert.Contains("file holds 4", Reject(Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4)));
        Assert.Contains("unsupported dtype 'Q4'", Reject(Header("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8)));
        Assert.Contains("not valid JSON", Reject(Header("""{"a":""", 0)));
        Assert.Contains("runs past the end", Reject([.. BitConverter.GetBytes(1000UL), .. "{}"u8]));
        Assert.Contains("larger than", Reject(BitConverter.GetBytes(ulong.MaxValue)));
        Assert.Contains("shape overflows", Reject(Header("""{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", 8)));
    }

    [Fact]
    public void ThousandCorruptedFilesThrowAndNeverCrash()
    {
        using var a = Tensor.Randn([3, 5]);
        using var b = Tensor.FromArray(new[] { 1L, 2, 3 });
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        var good = File.ReadAllBytes(path);
        File.Delete(path);
        var rng = new Random(1234);
        var live = Tensor.LiveCount;
        int rejected = 0, accepted = 0;
        for (var i = 0; i < 1000; i++)
        {
            var bad = Mutate(good, rng, i);
            try
            {
                using var f = SafeTensors.Load(bad, $"case-{i}");
                accepted++; // a mutation may leave the file valid (for example inside tensor data)
            }
            catch (SafeTensorsException e)
            {
                Assert.Contains($"case-{i}", e.Message);
                rejected++;
            }
        }
        Assert.True(rejected > 900, $"only {rejected} of 1000 corrupted headers were rejected");
        Assert.Equal(live, Tensor.LiveCount);
    }

    private static byte[] Mutate(byte[] good, Random rng, int i)
    {
        var headerEnd = 8 + (int)BitConverter.ToUInt64(good, 0);
        switch (i % 5)
        {
            case 0: // truncated anywhere inside the header or the data
                return good[..rng.Next(0, good.Length - 1)];
            case 1: // random bytes in the header
            {
                var b = (byte[])good.Clone();
                for (var k = 0; k < 1 + rng.Next(4); k++) b[8 + rng.Next(headerEnd - 8)] = (byte)rng.Next(256);
                return b.AsSpan(0, headerEnd).SequenceEqual(good.AsSpan(0, headerEnd)) ? b[..^1] : b;
            }
            case 2: // random length prefix
            {
                var b = (byte[])good.Clone();
                BitConverter.TryWriteBytes(b, (ulong)rng.NextInt64() >> rng.Next(64));
                if (BitConverter.ToUInt64(b, 0) == (ulong)(headerEnd - 8)) b[0] ^= 1;
                return b;
            }
            case 3: // pure noise
            {
                var b = new byte[rng.Next(0, 256)];
                rng.NextBytes(b);
                return b;
            }
            default: // a numeric field of the JSON replaced by a random number
            {
                var json = Encoding.UTF8.GetString(good, 8, headerEnd - 8);
                var digits = json.Select((c, idx) => (c, idx)).Where(p => char.IsDigit(p.c)).ToList();
                var pick = digits[rng.Next(digits.Count)].idx;
                var replaced = json[..pick] + rng.Next(10, 100000) + json[(pick + 1)..];
                return Header(replaced, good.Length - headerEnd);
            }
        }
    }

    private static byte[] Header(string json, int dataBytes)
    {
        var j = Encoding.UTF8.GetBytes(json);
        return [.. BitConverter.GetBytes((ulong)j.Length), .. j, .. new byte[dataBytes]];
    }

    private static string Reject(byte[] file)
    {
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(file, "bad.safetensors"));
        Assert.Contains("bad.safetensors", e.Message);
        return e.Message;
    }
}
