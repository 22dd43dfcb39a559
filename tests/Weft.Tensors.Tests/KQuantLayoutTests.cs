// K-quant block layouts: hand-built blocks decode to values worked out by hand from the GGUF layout, and each
// format's dot product against Q8_K equals the dot product of the decoded rows.
using System.Buffers.Binary;
using Weft.Tensors.Quantization;

namespace Weft.Tensors.Tests;

public class KQuantLayoutTests
{
    private const ushort HalfOne = 0x3C00, HalfHalf = 0x3800, HalfQuarter = 0x3400;

    /// <summary>Decodes one block with both the fast path and the reference, which must agree bit for bit.</summary>
    private static float[] Decode(GgmlType type, byte[] block)
    {
        var f = QuantRegistry.Get(type);
        Assert.Equal(f.BlockBytes, block.Length);
        var reference = new float[256];
        var fast = new float[256];
        f.DequantizeReference(block, reference);
        f.Dequantize(block, fast);
        Assert.Equal(reference, fast);
        return reference;
    }

    private static void PutHalf(byte[] b, int offset, ushort bits) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(offset), bits);

    [Fact]
    public void Q2_KHandBuiltBlock()
    {
        // scales[16] | qs[64] | d | dmin. Sub-block j: scale j (low nibble), min 15 − j (high nibble).
        var b = new byte[84];
        for (int j = 0; j < 16; j++) b[j] = (byte)(j | ((15 - j) << 4));
        // qs[0..31] hold elements 0..127, qs[32..63] elements 128..255; shift 2k selects the k-th run of 32.
        // 0xE4 = levels 0,1,2,3 for shifts 0,2,4,6; 0x1B = levels 3,2,1,0; qs[5] = 0 zeroes elements 5, 37, 69, 101.
        for (int k = 0; k < 32; k++) b[16 + k] = 0xE4;
        for (int k = 32; k < 64; k++) b[16 + k] = 0x1B;
        b[16 + 5] = 0;
        PutHalf(b, 80, HalfOne);      // d = 1
        PutHalf(b, 82, HalfHalf);     // dmin = 0.5
        var y = Decode(GgmlType.Q2_K, b);
        Assert.Equal(-7.5f, y[0]);    // sub 0: 1·0·0 − 0.5·15
        Assert.Equal(-6.5f, y[37]);   // sub 2, qs[5] = 0: −0.5·13
        Assert.Equal(-4.5f, y[40]);   // sub 2, level 1: 1·2·1 − 0.5·13
        Assert.Equal(13.5f, y[100]);  // sub 6, level 3: 1·6·3 − 0.5·9
        Assert.Equal(20.5f, y[130]);  // sub 8, qs[34] = 0x1B shift 0 → 3: 8·3 − 0.5·7
        Assert.Equal(10.5f, y[200]);  // sub 12, shift 4 → 1: 12·1 − 0.5·3
        Assert.Equal(0f, y[255]);     // sub 15, shift 6 → 0, min 0
    }

    [Fact]
    public void Q3_KHandBuiltBlock()
    {
        // hmask[32] | qs[64] | scales[12] | d.
        var b = new byte[110];
        // High bit of element e: bit e/32 of hmask[e%32]. Even l: set for e < 128; odd l: set for e ≥ 128.
        for (int l = 0; l < 32; l++) b[l] = (byte)(l % 2 == 0 ? 0x0F : 0xF0);
        // Low 2 bits: 0xE4 everywhere, so the low level of element e is (e%128)/32.
        for (int k = 0; k < 64; k++) b[32 + k] = 0xE4;
        // 6-bit values v_j = scale_j + 32 = 33 31 37 0 63 40 20 32 34 30 16 48 1 62 35 29, i.e. scales
        // 1 −1 5 −32 31 8 −12 0 2 −2 −16 16 −31 30 3 −3. Bytes 0–7: v_j & 15 | (v_{j+8} & 15) << 4;
        // bytes 8–11: top 2 bits of v_k, v_{k+4}, v_{k+8}, v_{k+12} at bits 0, 2, 4, 6.
        byte[] scales = [0x21, 0xEF, 0x05, 0x00, 0x1F, 0xE8, 0x34, 0xD0, 0x2E, 0xD9, 0x96, 0x78];
        scales.CopyTo(b, 96);
        PutHalf(b, 108, HalfQuarter); // d = 0.25
        var y = Decode(GgmlType.Q3_K, b);
        Assert.Equal(0f, y[0]);        // high bit set, low 0 → q 0
        Assert.Equal(-3.75f, y[33]);   // sub 2 (5), l odd → no high bit, low 1 → q −3: 0.25·5·−3
        Assert.Equal(-8f, y[48]);      // sub 3 (−32), l 16 even → high, low 1 → q 1
        Assert.Equal(15.5f, y[66]);    // sub 4 (31), high, low 2 → q 2
        Assert.Equal(3f, y[99]);       // sub 6 (−12), no high, low 3 → q −1
        Assert.Equal(12f, y[160]);     // sub 10 (−16), e ≥ 128 and l even → no high, low 1 → q −3
        Assert.Equal(15.5f, y[200]);   // sub 12 (−31), no high, low 2 → q −2
        Assert.Equal(-2.25f, y[255]);  // sub 15 (−3), l odd → high, low 3 → q 3
    }

    /// <summary>
    /// The 12 scale bytes of Q4_K/Q5_K for scales 1 2 3 4 17 35 50 63 and mins 0 5 10 63 16 33 47 60.
    /// Bytes 0–3: scale_j | (scale_{j+4} >> 4) << 6; bytes 4–7: min_j | (min_{j+4} >> 4) << 6;
    /// bytes 8–11: (scale_{j+4} & 15) | (min_{j+4} & 15) << 4.
    /// </summary>
    private static readonly byte[] ScaleMinBytes = [0x41, 0x82, 0xC3, 0xC4, 0x40, 0x85, 0x8A, 0xFF, 0x01, 0x13, 0xF2, 0xCF];

    [Fact]
    public void Q4_KHandBuiltBlock()
    {
        // d | dmin | scales[12] | qs[128]. qs[k] = (k % 16) | (15 − k % 16) << 4.
        var b = new byte[144];
        PutHalf(b, 0, HalfHalf);      // d = 0.5
        PutHalf(b, 2, HalfQuarter);   // dmin = 0.25
        ScaleMinBytes.CopyTo(b, 4);
        for (int k = 0; k < 128; k++) b[16 + k] = (byte)((k % 16) | ((15 - k % 16) << 4));
        var y = Decode(GgmlType.Q4_K, b);
        // Element e: byte qs[32·(e/64) + e%32], low nibble if (e%64) < 32 else high; sub-block e/32.
        Assert.Equal(0f, y[0]);         // qs[0] low 0, sub 0 (1, 0)
        Assert.Equal(8.75f, y[37]);     // qs[5] high 10, sub 1 (2, 5): 0.5·2·10 − 0.25·5
        Assert.Equal(6.5f, y[70]);      // qs[38] low 6, sub 2 (3, 10)
        Assert.Equal(6.25f, y[100]);    // qs[36] high 11, sub 3 (4, 63)
        Assert.Equal(13f, y[130]);      // qs[66] low 2, sub 4 (17, 16)
        Assert.Equal(184.25f, y[180]);  // qs[84] high 11, sub 5 (35, 33)
        Assert.Equal(188.25f, y[200]);  // qs[104] low 8, sub 6 (50, 47)
        Assert.Equal(-15f, y[255]);     // qs[127] high 0, sub 7 (63, 60)
    }

    [Fact]
    public void Q5_KHandBuiltBlock()
    {
        // d | dmin | scales[12] | qh[32] | qs[128]; scales and qs as in the Q4_K case.
        var b = new byte[176];
        PutHalf(b, 0, HalfHalf);
        PutHalf(b, 2, HalfQuarter);
        ScaleMinBytes.CopyTo(b, 4);
        // Fifth bit of element e: bit e/32 of qh[e%32]; qh[l] = 1 << (l % 8) sets it where e/32 == (e%32) % 8.
        for (int l = 0; l < 32; l++) b[16 + l] = (byte)(1 << (l % 8));
        for (int k = 0; k < 128; k++) b[48 + k] = (byte)((k % 16) | ((15 - k % 16) << 4));
        var y = Decode(GgmlType.Q5_K, b);
        Assert.Equal(8.75f, y[37]);     // e/32 = 1, l = 5: no fifth bit, q 10 as in Q4_K
        Assert.Equal(28.75f, y[33]);    // e/32 = 1, l = 1: fifth bit, qs[1] high 14 → q 30: 0.5·2·30 − 1.25
        Assert.Equal(13f, y[130]);      // no fifth bit
        Assert.Equal(446.75f, y[165]);  // e/32 = 5, l = 5: qs[69] high 10 → q 26, sub 5: 0.5·35·26 − 8.25
        Assert.Equal(489f, y[255]);     // e/32 = 7, l = 31: q 16, sub 7: 0.5·63·16 − 15
    }

    [Fact]
    public void Q6_KHandBuiltBlock()
    {
        // ql[128] | qh[64] | scales[16] (int8) | d.
        var b = new byte[210];
        for (int k = 0; k < 128; k++) b[k] = (byte)k;                     // ql[k]: low nibble k%16, high nibble k/16
        for (int k = 0; k < 64; k++) b[128 + k] = 0xE4;                   // quarter k of each half gets high bits k
        for (int j = 0; j < 16; j++) b[192 + j] = unchecked((byte)(sbyte)(8 * j - 60)); // scales −60, −52, …, 60
        PutHalf(b, 208, HalfHalf);                                        // d = 0.5
        var y = Decode(GgmlType.Q6_K, b);
        // Element e = 128h + 32k + l: low bits ql[64h + 32(k%2) + l] nibble k/2, high bits k; q = level − 32.
        Assert.Equal(960f, y[0]);     // ql[0] low 0, high 0 → q −32; sub 0 (−60): 0.5·−60·−32
        Assert.Equal(66f, y[45]);     // k 1: ql[45] low 13 | 16 → q −3; sub 2 (−44)
        Assert.Equal(-10f, y[90]);    // k 2: ql[26] high 1 | 32 → q 1; sub 5 (−20)
        Assert.Equal(-38f, y[127]);   // k 3: ql[63] high 3 | 48 → q 19; sub 7 (−4)
        Assert.Equal(72f, y[200]);    // h 1, k 2, l 8: ql[72] high 4 | 32 → q 4; sub 12 (36)
        Assert.Equal(690f, y[255]);   // h 1, k 3, l 31: ql[127] high 7 | 48 → q 23; sub 15 (60)
    }

    [Fact]
    public void Q8_KHandBuiltBlockAndQuantizer()
    {
        // d (float32) | qs[256] (int8) | bsums[16] (int16).
        var b = new byte[292];
        BinaryPrimitives.WriteSingleLittleEndian(b, 0.5f);
        for (int e = 0; e < 256; e++) b[4 + e] = unchecked((byte)(sbyte)(e - 128));
        var y = Decode(GgmlType.Q8_K, b);
        Assert.Equal(-64f, y[0]);
        Assert.Equal(0f, y[128]);
        Assert.Equal(36f, y[200]);

        // Quantizing: d = max/−127 for the first largest-magnitude element, quants rounded, block sums of 16.
        var x = new float[256];
        for (int e = 0; e < 256; e++) x[e] = (e % 7) - 3;
        x[10] = -6.35f;
        x[20] = 6.35f;                                   // same magnitude later: the first one sets the sign
        var q = new byte[292];
        QuantRegistry.Get(GgmlType.Q8_K).Quantize(x, q);
        float d = BinaryPrimitives.ReadSingleLittleEndian(q);
        Assert.Equal(1 / (-127f / -6.35f), d);
        Assert.Equal(-127, (sbyte)q[4 + 10]);
        Assert.Equal(127, (sbyte)q[4 + 20]);
        Assert.Equal(60, (sbyte)q[4 + 6]);               // x = 3 → 3·127/6.35 = 60
        for (int g = 0; g < 16; g++)
        {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += (sbyte)q[4 + 16 * g + l];
            Assert.Equal(sum, BinaryPrimitives.ReadInt16LittleEndian(q.AsSpan(260 + 2 * g)));
        }
    }

    public static TheoryData<GgmlType> KTypes() => new() { GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K };

    [Theory]
    [MemberData(nameof(KTypes))]
    public void DotEqualsDotOfDecodedRows(GgmlType type)
    {
        // The integer dot product with mins and offsets folded through the Q8_K block sums must be the plain
        // dot product of the two decoded rows, up to float rounding.
        var f = QuantRegistry.Get(type);
        var q8 = QuantRegistry.Get(GgmlType.Q8_K);
        var rng = new Random(17 + (int)type);
        const int n = 256 * 12;
        for (int trial = 0; trial < 8; trial++)
        {
            var w = FormatChecks.RandomRow(rng, n);
            if (trial % 2 == 1) for (int i = 0; i < n; i++) w[i] = MathF.Abs(w[i]) + 0.1f; // non-zero mins
            var a = FormatChecks.RandomRow(rng, n);
            var wq = new byte[f.RowBytes(n)];
            var aq = new byte[q8.RowBytes(n)];
            f.Quantize(w, wq);
            q8.Quantize(a, aq);
            var wd = new float[n];
            var ad = new float[n];
            f.DequantizeReference(wq, wd);
            q8.DequantizeReference(aq, ad);
            double expected = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                expected += (double)wd[i] * ad[i];
                magnitude += Math.Abs((double)wd[i] * ad[i]);
            }
            float reference = f.DotReference(wq, aq, n);
            float fast = f.Dot(wq, aq, n);
            Assert.True(Math.Abs(reference - expected) <= 2e-6 * magnitude + 1e-6, $"{type} reference {reference}, decoded rows {expected}");
            Assert.True(Math.Abs(fast - expected) <= 2e-6 * magnitude + 1e-6, $"{type} fast {fast}, decoded rows {expected}");
        }
    }
}
