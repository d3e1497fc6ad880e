package dev.filetrail.lambda.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrientationTest {
    // A 3x2 image whose pixels are numbered 1..6 in their red channel:
    //   1 2 3
    //   4 5 6
    private static Pixels numbered() {
        Pixels p = Pixels.allocate(3, 2, 3);
        for (int i = 0; i < 6; i++) {
            p.data()[i * 3] = (byte) (i + 1);
        }
        return p;
    }

    private static int[][] rows(Pixels p) {
        int[][] rows = new int[p.height()][p.width()];
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                rows[y][x] = p.argb(x, y) >> 16 & 0xFF;
            }
        }
        return rows;
    }

    @Test
    void everyExifOrientationShowsThePictureUpright() {
        assertThat(rows(Orientation.apply(numbered(), 1))).isEqualTo(new int[][] {{1, 2, 3}, {4, 5, 6}});
        assertThat(rows(Orientation.apply(numbered(), 2))).isEqualTo(new int[][] {{3, 2, 1}, {6, 5, 4}});
        assertThat(rows(Orientation.apply(numbered(), 3))).isEqualTo(new int[][] {{6, 5, 4}, {3, 2, 1}});
        assertThat(rows(Orientation.apply(numbered(), 4))).isEqualTo(new int[][] {{4, 5, 6}, {1, 2, 3}});
        assertThat(rows(Orientation.apply(numbered(), 5))).isEqualTo(new int[][] {{1, 4}, {2, 5}, {3, 6}});
        assertThat(rows(Orientation.apply(numbered(), 6))).isEqualTo(new int[][] {{4, 1}, {5, 2}, {6, 3}});
        assertThat(rows(Orientation.apply(numbered(), 7))).isEqualTo(new int[][] {{6, 3}, {5, 2}, {4, 1}});
        assertThat(rows(Orientation.apply(numbered(), 8))).isEqualTo(new int[][] {{3, 6}, {2, 5}, {1, 4}});
    }

    @Test
    void unknownOrientationsLeaveThePictureAlone() {
        Pixels p = numbered();
        assertThat(Orientation.apply(p, 0)).isSameAs(p);
        assertThat(Orientation.apply(p, 9)).isSameAs(p);
    }
}
